//! Django settings: a static read of a Python module with tree-sitter-python, never executed.
//!
//! The tree is the module's namespace after its top-level statements, as far as it can be known
//! without running anything: literals become plain values, environment lookups become
//! `{"$env": NAME, "default": ..., "cast": ...}` maps and any other expression becomes
//! `{"$expr": "<source text>"}`. Star imports are followed through a resolver and their names
//! applied where the import stands, so an inherited setting keeps its span in the base file.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{InputEdit, Node as Ts, Parser, Point, Tree};

use super::{ParseError, Parsed, treesitter};
use crate::model::{Key, Node, SourceFile, SourceId, Span, Value};

/// Deepest nesting of statements, literals or subscripts read before giving up on a subtree.
const MAX_DEPTH: usize = 200;
/// Longest chain of star imports followed.
const MAX_IMPORT_DEPTH: usize = 16;
/// Modules read through star imports in one parse: stops a fan-out of repeated imports.
const MAX_MODULES: usize = 256;
/// Re-parses with broken lines blanked out, so one bad line does not swallow its neighbours;
/// fewer for big files, so the bytes re-parsed stay under `REPAIR_BYTES`.
const MAX_REPAIRS: usize = 32;
const REPAIR_BYTES: usize = 1 << 20;
/// Node copies spent on list/map updates: bounds quadratic work on hostile input.
const MAX_COPIES: usize = 1 << 20;

/// Reads one module; star imports are listed but not followed.
pub fn parse(file: &SourceFile) -> Parsed {
    parse_with_imports(file, &|_, _| None)
}

/// Reads one module and applies its star imports: `resolve(module, importing_file)` maps the
/// module as written (`.base`, `config.settings.base`) to its file, or `None` if not found.
pub fn parse_with_imports(
    file: &SourceFile,
    resolve: &dyn Fn(&str, &SourceFile) -> Option<Arc<SourceFile>>,
) -> Parsed {
    let mut run = Run {
        resolve,
        stack: Vec::new(),
        modules: 0,
        errors: Vec::new(),
    };
    match run.read(file, true) {
        Some((module, span)) => Parsed {
            roots: vec![module.into_root(span)],
            errors: run.errors,
        },
        None => Parsed::failed(ParseError {
            message: "the Python parser could not read this file".into(),
            span: file.span(0..0),
        }),
    }
}

/// One parse, possibly across several files.
struct Run<'r> {
    resolve: &'r dyn Fn(&str, &SourceFile) -> Option<Arc<SourceFile>>,
    /// Files being read, outermost first, to detect import cycles.
    stack: Vec<(SourceId, String)>,
    modules: usize,
    errors: Vec<ParseError>,
}

impl Run<'_> {
    /// The module's names and the span of its statements. Syntax problems are reported only
    /// for the top file: an imported file is in the scan and reports its own.
    fn read(&mut self, file: &SourceFile, top: bool) -> Option<(Module, Span)> {
        let tree = syntax_tree(file, top.then_some(&mut self.errors))?;
        let root = tree.root_node();
        let statements = kids(root);
        let span = match (statements.first(), statements.last()) {
            (Some(first), Some(last)) => file.span(first.start_byte()..last.end_byte()),
            _ => file.span(0..0),
        };
        self.stack.push((file.id, file.path.clone()));
        let mut reader = Reader {
            file,
            run: self,
            module: Module::default(),
            top,
            deep_reported: false,
            copies: 0,
        };
        // Tree-sitter makes the root an ERROR when it cannot place some tokens; the
        // statements under it are still whole.
        reader.block(root, false, 0);
        let module = reader.module;
        self.stack.pop();
        Some((module, span))
    }

    /// The names a star import brings in, or `None` (with an error) for a cycle or a chain
    /// too long.
    fn import(&mut self, file: &SourceFile, at: Span) -> Option<Module> {
        if let Some(start) = self.stack.iter().position(|(id, _)| *id == file.id) {
            let chain: Vec<&str> = self
                .stack
                .iter()
                .skip(start)
                .map(|(_, p)| p.as_str())
                .collect();
            let message = format!("star import cycle: {} → {}", chain.join(" → "), file.path);
            self.errors.push(ParseError { message, span: at });
            return None;
        }
        if self.stack.len() > MAX_IMPORT_DEPTH {
            let message = format!("star imports nested more than {MAX_IMPORT_DEPTH} deep");
            self.errors.push(ParseError { message, span: at });
            return None;
        }
        if self.modules >= MAX_MODULES {
            let message = format!("more than {MAX_MODULES} star-imported modules");
            self.errors.push(ParseError { message, span: at });
            return None;
        }
        self.modules += 1;
        self.read(file, false).map(|(module, _)| module)
    }
}

/// Names in first-assignment order (as in a Python module dict); later assignments win.
#[derive(Default)]
struct Names {
    entries: Vec<Option<(Key, Node)>>,
    index: HashMap<Arc<str>, usize>,
}

impl Names {
    fn get(&self, name: &str) -> Option<&Node> {
        let (_, node) = self.entries.get(*self.index.get(name)?)?.as_ref()?;
        Some(node)
    }

    /// Binds a name: a rebinding keeps the first position but takes the new key's span.
    fn set(&mut self, key: Key, node: Node) {
        match self.index.get(&key.name) {
            Some(&i) => {
                if let Some(slot) = self.entries.get_mut(i) {
                    *slot = Some((key, node));
                }
            }
            None => {
                self.index.insert(key.name.clone(), self.entries.len());
                self.entries.push(Some((key, node)));
            }
        }
    }

    /// Changes a bound value in place, keeping its key.
    fn update(&mut self, name: &str, node: Node) {
        if let Some(Some((_, slot))) = self.index.get(name).and_then(|&i| self.entries.get_mut(i)) {
            *slot = node;
        }
    }

    fn remove(&mut self, name: &str) {
        if let Some(slot) = self
            .index
            .remove(name)
            .and_then(|i| self.entries.get_mut(i))
        {
            *slot = None;
        }
    }

    fn into_entries(self) -> Vec<(Key, Node)> {
        self.entries.into_iter().flatten().collect()
    }
}

/// What reading a module leaves behind.
#[derive(Default)]
struct Module {
    names: Names,
    /// Names last set inside an `if`/`try`/`with`/`for` block, to a `true` on the statement.
    conditional: Names,
    imports: Vec<Node>,
    unresolved: Vec<Node>,
    dynamic: Vec<Node>,
    /// Names bound to `environ.Env(...)`, besides `env`.
    env_objects: Vec<String>,
}

impl Module {
    /// The root map. The `$` keys (no Python name starts with `$`) come last and only when not
    /// empty; each is spanned on its first item, which is where a finding about it belongs.
    fn into_root(self, span: Span) -> Node {
        let mut entries = self.names.into_entries();
        let conditional = self.conditional.into_entries();
        if let Some((_, first)) = conditional.first() {
            let at = first.span;
            entries.push((Key::new("$conditional", at), Node::map(conditional, at)));
        }
        for (name, items) in [
            ("$imports", self.imports),
            ("$unresolved", self.unresolved),
            ("$dynamic", self.dynamic),
        ] {
            if let Some(first) = items.first() {
                let at = first.span;
                entries.push((Key::new(name, at), Node::list(items, at)));
            }
        }
        Node::map(entries, span)
    }
}

/// A step into a setting: `X["key"]` or `X[0]`.
enum Seg {
    Key(Arc<str>, Span),
    Index(i64),
}

/// A static in-place change of a list or map.
enum Op {
    /// `X["k"] = v`
    Set(Key, Node),
    /// `X.update({...})`, `X |= {...}`
    Update(Vec<(Key, Node)>),
    /// `X.append(v)`, `X.extend([...])`, `X += [...]`
    Extend(Vec<Node>),
    Insert(i64, Node),
    Remove(Node),
}

/// Call arguments: positional ones and `(name, name node, value)` keywords.
struct Args<'t, 'a> {
    positional: Vec<Ts<'t>>,
    keywords: Vec<(&'a str, Ts<'t>, Ts<'t>)>,
}

/// An argument found by position or keyword: the span its key gets, and its value.
type Arg<'t> = Option<(Span, Ts<'t>)>;

struct Reader<'a, 'r> {
    file: &'a SourceFile,
    run: &'a mut Run<'r>,
    module: Module,
    top: bool,
    deep_reported: bool,
    copies: usize,
}

impl<'a> Reader<'a, '_> {
    fn text(&self, node: Ts) -> &'a str {
        treesitter::text(self.file, node)
    }

    fn span(&self, node: Ts) -> Span {
        treesitter::span(self.file, node)
    }

    fn opaque(&self, node: Ts) -> Node {
        treesitter::opaque(self.file, node)
    }

    fn too_deep(&mut self, node: Ts) {
        if self.top && !self.deep_reported {
            self.deep_reported = true;
            self.run.errors.push(ParseError {
                message: format!(
                    "nested more than {MAX_DEPTH} levels deep; the inside is not read"
                ),
                span: self.span(node),
            });
        }
    }

    /// Counts node copies; `None` once the budget is spent.
    fn spend(&mut self, copies: usize) -> Option<()> {
        self.copies = self.copies.saturating_add(copies);
        (self.copies <= MAX_COPIES).then_some(())
    }

    // Statements

    fn block(&mut self, node: Ts, conditional: bool, depth: usize) {
        for child in kids(node) {
            self.statement(child, conditional, depth + 1);
        }
    }

    fn statement(&mut self, node: Ts, conditional: bool, depth: usize) {
        if depth > MAX_DEPTH {
            self.too_deep(node);
            return;
        }
        // A statement holding a syntax error is skipped whole: tree-sitter's recovery can
        // pair a name with a value from another line.
        let holds_statements = node.kind() == "block" || is_compound(node.kind());
        if node.has_error() && !holds_statements {
            return;
        }
        match node.kind() {
            "expression_statement" => self.expression_statement(node, conditional),
            "import_from_statement" => self.star_import(node, conditional),
            "exec_statement" => self.dynamic(node),
            "block" => self.block(node, conditional, depth),
            kind if is_compound(kind) => self.block(node, true, depth),
            // Functions, classes, imports and the rest define no settings.
            _ => {}
        }
    }

    fn expression_statement(&mut self, stmt: Ts, conditional: bool) {
        let Some(inner) = kids(stmt).into_iter().next() else {
            return;
        };
        match inner.kind() {
            "assignment" => self.assignment(inner, stmt, conditional),
            "augmented_assignment" => self.augmented(inner, stmt, conditional),
            "call" => self.call_statement(inner, stmt, conditional),
            _ => {}
        }
    }

    /// `A = B = value`, `A: T = value`, `A, B = 1, 2`, `X["k"] = value`.
    fn assignment(&mut self, node: Ts, stmt: Ts, conditional: bool) {
        let mut targets = Vec::new();
        let mut current = node;
        let right = loop {
            targets.extend(current.child_by_field_name("left"));
            match current.child_by_field_name("right") {
                Some(right) if right.kind() == "assignment" => current = right,
                Some(right) => break right,
                None => return, // an annotation without a value binds nothing
            }
        };
        let value = self.convert(right, 0);
        if self.is_env_constructor(right) {
            for target in &targets {
                if target.kind() == "identifier" {
                    self.module.env_objects.push(self.text(*target).to_string());
                }
            }
        }
        for target in targets {
            self.bind(target, value.clone(), right, stmt, conditional, 0);
        }
    }

    fn bind(
        &mut self,
        target: Ts,
        value: Node,
        right: Ts,
        stmt: Ts,
        conditional: bool,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            self.too_deep(target);
            return;
        }
        match target.kind() {
            "identifier" => {
                let key = Key::new(self.text(target), self.span(target));
                self.module.names.set(key.clone(), value);
                self.mark(key, stmt, conditional, true);
            }
            "subscript" => self.item_assignment(target, value, stmt, conditional),
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                let targets = kids(target);
                let splat = targets.iter().any(|t| t.kind() == "list_splat_pattern");
                let items = match &value.value {
                    Value::List(items) if items.len() == targets.len() && !splat => Some(items),
                    _ => None,
                };
                for (i, target) in targets.iter().enumerate() {
                    let item = items.and_then(|items| items.get(i).cloned());
                    let item = item.unwrap_or_else(|| self.opaque(right));
                    self.bind(*target, item, right, stmt, conditional, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Records where a name was last set under a condition; an unconditional rebinding clears
    /// the mark, an unconditional in-place change keeps it.
    fn mark(&mut self, key: Key, stmt: Ts, conditional: bool, rebinding: bool) {
        if conditional {
            let flag = Node::new(Value::Bool(true), self.span(stmt));
            self.module.conditional.set(key, flag);
        } else if rebinding {
            self.module.conditional.remove(&key.name);
        }
    }

    /// `X["a"]["b"] = value` on static maps; `X[0] = value` is not followed.
    fn item_assignment(&mut self, target: Ts, value: Node, stmt: Ts, conditional: bool) {
        if self.is_namespace_call(subscript_root(target)) {
            self.dynamic(stmt);
            return;
        }
        let Some((root, mut path)) = self.path(target) else {
            return;
        };
        if let Some(Seg::Key(name, span)) = path.pop() {
            self.mutate(
                root,
                &path,
                Op::Set(Key::new(name, span), value),
                stmt,
                conditional,
            );
        }
    }

    /// `X += [...]` on a list, `X |= {...}` on a map.
    fn augmented(&mut self, node: Ts, stmt: Ts, conditional: bool) {
        let (Some(left), Some(operator), Some(right)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("operator"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        let Some((root, path)) = self.path(left) else {
            return;
        };
        let value = self.convert(right, 0);
        let op = match (self.text(operator), &value.value) {
            ("+=", Value::List(items)) => Op::Extend(items.to_vec()),
            ("|=", Value::Map(entries)) if !is_opaque(&value) => Op::Update(entries.to_vec()),
            _ => return,
        };
        self.mutate(root, &path, op, stmt, conditional);
    }

    /// `X.append(v)` and friends; `exec(...)`, `globals().update(...)` make settings dynamic.
    fn call_statement(&mut self, call: Ts, stmt: Ts, conditional: bool) {
        let Some(function) = call.child_by_field_name("function") else {
            return;
        };
        if function.kind() == "identifier" {
            if matches!(self.text(function), "exec" | "eval") {
                self.dynamic(stmt);
            }
            return;
        }
        let (Some(object), Some(method)) = (
            function.child_by_field_name("object"),
            function.child_by_field_name("attribute"),
        ) else {
            return;
        };
        if self.is_namespace_call(subscript_root(object)) {
            self.dynamic(stmt);
            return;
        }
        let (Some((root, path)), Some(args)) = (self.path(object), self.args(call)) else {
            return;
        };
        let no_keywords = args.keywords.is_empty();
        let op = match (self.text(method), args.positional.as_slice()) {
            ("append", [item]) if no_keywords => Op::Extend(vec![self.convert(*item, 0)]),
            ("extend", [items]) if no_keywords => match self.convert(*items, 0).value {
                Value::List(items) => Op::Extend(items.to_vec()),
                _ => return,
            },
            ("insert", [at, item]) if no_keywords => match self.convert(*at, 0).value {
                Value::Int(at) => Op::Insert(at, self.convert(*item, 0)),
                _ => return,
            },
            ("remove", [item]) if no_keywords => {
                let item = self.convert(*item, 0);
                if is_opaque(&item) {
                    return;
                }
                Op::Remove(item)
            }
            ("update", positional) if positional.len() <= 1 => {
                let mut entries = Vec::new();
                if let Some(map) = positional.first() {
                    let map = self.convert(*map, 0);
                    if !matches!(map.value, Value::Map(_)) || is_opaque(&map) {
                        return;
                    }
                    entries.extend_from_slice(map.entries());
                }
                for (name, name_node, value) in args.keywords {
                    let value = self.convert(value, 0);
                    entries.push((Key::new(name, self.span(name_node)), value));
                }
                Op::Update(entries)
            }
            _ => return,
        };
        self.mutate(root, &path, op, stmt, conditional);
    }

    /// Applies `op` to the static list or map at `path` inside setting `root`; anything not
    /// statically known is left as it is.
    fn mutate(&mut self, root: Ts, path: &[Seg], op: Op, stmt: Ts, conditional: bool) {
        let name = self.text(root);
        let Some(current) = self.module.names.get(name).cloned() else {
            return;
        };
        let cost = path.len() + container_len(&current) + op_len(&op);
        if self.spend(cost).is_none() {
            return;
        }
        let Some(updated) = apply(&current, path, op, self.span(stmt)) else {
            return;
        };
        self.module.names.update(name, updated);
        self.mark(Key::new(name, self.span(root)), stmt, conditional, false);
    }

    /// A setting name and the subscripts under it: `X["a"][0]` → `X`, [`"a"`, `0`].
    fn path<'t>(&mut self, node: Ts<'t>) -> Option<(Ts<'t>, Vec<Seg>)> {
        let mut segs = Vec::new();
        let mut current = node;
        while current.kind() == "subscript" {
            if segs.len() >= MAX_DEPTH {
                return None;
            }
            let [index] = field_all(current, "subscript")[..] else {
                return None;
            };
            segs.push(match self.convert(index, 0).value {
                Value::Str(name) => Seg::Key(name, self.span(index)),
                Value::Int(i) => Seg::Index(i),
                _ => return None,
            });
            current = current.child_by_field_name("value")?;
        }
        segs.reverse();
        (current.kind() == "identifier").then_some((current, segs))
    }

    /// `from X import *`: listed, and when resolved its names are applied here.
    fn star_import(&mut self, node: Ts, conditional: bool) {
        if !kids(node).iter().any(|k| k.kind() == "wildcard_import") {
            return;
        }
        let Some(module_name) = node.child_by_field_name("module_name") else {
            return;
        };
        // `from . base import *` is legal: the resolver gets `.base`.
        let name: String = self.text(module_name).split_whitespace().collect();
        let span = self.span(node);
        self.module.imports.push(Node::str(name.as_str(), span));
        let Some(file) = (self.run.resolve)(&name, self.file) else {
            self.module.unresolved.push(Node::str(name, span));
            return;
        };
        if let Some(imported) = self.run.import(&file, span) {
            self.merge(imported, conditional, span);
        }
    }

    /// Applies an imported module's public names (a star import skips `_private` ones).
    fn merge(&mut self, imported: Module, conditional: bool, at: Span) {
        let Module {
            names,
            conditional: imported_conditional,
            imports,
            unresolved,
            dynamic,
            env_objects,
        } = imported;
        for (key, node) in names.into_entries() {
            if key.name.starts_with('_') {
                continue;
            }
            let flag = if conditional {
                Some(Node::new(Value::Bool(true), at))
            } else {
                imported_conditional.get(&key.name).cloned()
            };
            match flag {
                Some(flag) => self.module.conditional.set(key.clone(), flag),
                None => self.module.conditional.remove(&key.name),
            }
            self.module.names.set(key, node);
        }
        self.module.imports.extend(imports);
        self.module.unresolved.extend(unresolved);
        self.module.dynamic.extend(dynamic);
        self.module.env_objects.extend(env_objects);
    }

    fn dynamic(&mut self, stmt: Ts) {
        let node = self.opaque(stmt);
        self.module.dynamic.push(node);
    }

    /// `globals()`, `locals()`, `vars()`: writing through them is not statically known.
    fn is_namespace_call(&self, node: Ts) -> bool {
        node.kind() == "call"
            && node
                .child_by_field_name("function")
                .is_some_and(|f| matches!(self.text(f), "globals" | "locals" | "vars"))
    }

    // Expressions

    fn convert(&mut self, node: Ts, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            self.too_deep(node);
            return self.opaque(node);
        }
        if node.has_error() {
            return self.opaque(node);
        }
        let value = match node.kind() {
            "string" | "concatenated_string" => self.string(node).map(|s| Value::Str(s.into())),
            "integer" | "float" | "unary_operator" => self.number(node, depth),
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            "none" => Some(Value::Null),
            "parenthesized_expression" => match kids(node)[..] {
                [inner] => return self.convert(inner, depth + 1),
                _ => None,
            },
            "list" | "tuple" | "set" | "expression_list" => self.sequence(node, depth),
            "dictionary" => self.dictionary(node, depth),
            "identifier" => return self.reference(node),
            "binary_operator" => self.concat(node, depth),
            // A value computed by `eval`/`exec` is not statically known: never run, listed.
            "call"
                if node
                    .child_by_field_name("function")
                    .is_some_and(|f| matches!(self.text(f), "eval" | "exec")) =>
            {
                let call = self.opaque(node);
                self.module.dynamic.push(call.clone());
                return call;
            }
            "call" | "subscript" => {
                return self
                    .env_lookup(node, depth)
                    .unwrap_or_else(|| self.opaque(node));
            }
            _ => None,
        };
        match value {
            Some(value) => Node::new(value, self.span(node)),
            None => self.opaque(node),
        }
    }

    /// The value of a plain string or implicit concatenation; `None` for f-strings.
    fn string(&self, node: Ts) -> Option<String> {
        match node.kind() {
            "string" => decode_string(self.text(node)),
            "concatenated_string" => kids(node)
                .into_iter()
                .map(|part| decode_string(self.text(part)))
                .collect(),
            _ => None,
        }
    }

    /// A number, possibly signed or parenthesized, or a name bound to one. Unlike `convert`
    /// it builds no `$expr` on the way, so a long chain of signs costs nothing.
    fn number(&mut self, node: Ts, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            self.too_deep(node);
            return None;
        }
        match node.kind() {
            "integer" => i64::try_from(int_value(self.text(node))?)
                .ok()
                .map(Value::Int),
            "float" => float_value(self.text(node)).map(Value::Float),
            "parenthesized_expression" => match kids(node)[..] {
                [inner] => self.number(inner, depth + 1),
                _ => None,
            },
            "identifier" => match self.module.names.get(self.text(node))?.value {
                ref value @ (Value::Int(_) | Value::Float(_)) => Some(value.clone()),
                _ => None,
            },
            "unary_operator" => {
                let operator = self.text(node.child_by_field_name("operator")?);
                let argument = node.child_by_field_name("argument")?;
                match operator {
                    // `-9223372036854775808` fits although its digits alone do not.
                    "-" if argument.kind() == "integer" => {
                        i64::try_from(-int_value(self.text(argument))?)
                            .ok()
                            .map(Value::Int)
                    }
                    "-" => match self.number(argument, depth + 1)? {
                        Value::Int(i) => i.checked_neg().map(Value::Int),
                        Value::Float(f) => Some(Value::Float(-f)),
                        _ => None,
                    },
                    "+" => self.number(argument, depth + 1),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn sequence(&mut self, node: Ts, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        for item in kids(node) {
            if matches!(
                item.kind(),
                "list_splat" | "parenthesized_list_splat" | "yield"
            ) {
                return None;
            }
            items.push(self.convert(item, depth + 1));
        }
        Some(Value::List(items.into()))
    }

    /// A dict with string (or int) keys; any other key makes the whole dict an `$expr`.
    fn dictionary(&mut self, node: Ts, depth: usize) -> Option<Value> {
        let mut entries = Vec::new();
        for pair in kids(node) {
            if pair.kind() != "pair" {
                return None;
            }
            let key = pair.child_by_field_name("key")?;
            let value = pair.child_by_field_name("value")?;
            let name: Arc<str> = match self.convert(key, depth + 1).value {
                Value::Str(name) => name,
                Value::Int(i) => i.to_string().into(),
                _ => return None,
            };
            let value = self.convert(value, depth + 1);
            entries.push((Key::new(name, self.span(key)), value));
        }
        Some(Value::Map(entries.into()))
    }

    /// A name bound earlier in the module stands for its value, spanned on the reference
    /// (items inside keep their own spans).
    fn reference(&self, node: Ts) -> Node {
        match self.module.names.get(self.text(node)) {
            Some(bound) if bound.get("$expr").is_none() => {
                Node::new(bound.value.clone(), self.span(node))
            }
            _ => self.opaque(node),
        }
    }

    /// `A + B + ...` on lists (the usual `DJANGO_APPS + THIRD_PARTY_APPS`). The chain nests
    /// to the left; it is walked as one run of operands, not recursively.
    fn concat(&mut self, node: Ts, depth: usize) -> Option<Value> {
        let mut operands = Vec::new();
        let mut current = node;
        while current.kind() == "binary_operator" {
            if self.text(current.child_by_field_name("operator")?) != "+" {
                return None;
            }
            operands.push(current.child_by_field_name("right")?);
            current = current.child_by_field_name("left")?;
        }
        operands.push(current);
        let mut items = Vec::new();
        for operand in operands.into_iter().rev() {
            let Value::List(list) = self.convert(operand, depth + 1).value else {
                return None;
            };
            self.spend(list.len())?;
            items.extend(list.iter().cloned());
        }
        Some(Value::List(items.into()))
    }

    // Environment lookups

    /// `os.environ[...]`, `os.environ.get`, `os.getenv`, django-environ `env(...)` and
    /// `env.<cast>(...)`, python-decouple `config(...)`, and `int(...)`-style casts of those.
    fn env_lookup(&mut self, node: Ts, depth: usize) -> Option<Node> {
        if node.kind() == "subscript" {
            let object = node.child_by_field_name("value")?;
            let [name] = field_all(node, "subscript")[..] else {
                return None;
            };
            if !self.is_os_environ(object) {
                return None;
            }
            return self.env_node(node, Some((self.span(name), name)), None, None, None, depth);
        }
        let function = node.child_by_field_name("function")?;
        let args = self.args(node)?;
        match function.kind() {
            "identifier" => match self.text(function) {
                "getenv" => self.getenv(node, &args, depth),
                "config" => self.decouple(node, &args, depth),
                "int" | "float" | "bool" | "str" => self.cast_wrapper(node, function, &args, depth),
                _ if self.is_env_object(function) => {
                    let name = args.get(self, 0, "var");
                    let cast = args
                        .get(self, 1, "cast")
                        .map(|(key, value)| (key, self.span(value), self.text(value)));
                    let default = args.get(self, 2, "default");
                    self.env_node(node, name, None, default, cast, depth)
                }
                _ => None,
            },
            "attribute" => {
                let object = function.child_by_field_name("object")?;
                let method = function.child_by_field_name("attribute")?;
                let method_name = self.text(method);
                if (method_name == "get" && self.is_os_environ(object))
                    || (method_name == "getenv" && self.text(object) == "os")
                {
                    return self.getenv(node, &args, depth);
                }
                if method_name == "config" && self.text(object) == "decouple" {
                    return self.decouple(node, &args, depth);
                }
                if !self.is_env_object(object) {
                    return None;
                }
                // django-environ's signatures: `list(var, cast, default)`, the URL readers
                // default to a well-known variable, the rest are `(var, default)`.
                let (fallback, default_at) = match method_name {
                    "bool" | "int" | "float" | "str" | "bytes" | "json" | "url" | "path" => {
                        (None, 1)
                    }
                    "list" | "tuple" | "dict" => (None, 2),
                    "db" | "db_url" => (Some("DATABASE_URL"), 1),
                    "cache" | "cache_url" => (Some("CACHE_URL"), 1),
                    "email" | "email_url" => (Some("EMAIL_URL"), 1),
                    "search_url" => (Some("SEARCH_URL"), 1),
                    "channels" | "channels_url" => (Some("CHANNELS_URL"), 1),
                    _ => return None,
                };
                let name = args.get(self, 0, "var");
                let default = args.get(self, default_at, "default");
                let cast = Some((self.span(method), self.span(method), method_name));
                self.env_node(node, name, fallback, default, cast, depth)
            }
            _ => None,
        }
    }

    /// `os.getenv(key, default)` and `os.environ.get(key, default)`.
    fn getenv(&mut self, node: Ts, args: &Args, depth: usize) -> Option<Node> {
        let name = args.get(self, 0, "key");
        let default = args.get(self, 1, "default");
        self.env_node(node, name, None, default, None, depth)
    }

    /// python-decouple: `config(name, default, cast)`.
    fn decouple(&mut self, node: Ts, args: &Args, depth: usize) -> Option<Node> {
        let name = args.get(self, 0, "option");
        let default = args.get(self, 1, "default");
        let cast = args
            .get(self, 2, "cast")
            .map(|(key, value)| (key, self.span(value), self.text(value)));
        self.env_node(node, name, None, default, cast, depth)
    }

    /// `int(os.environ.get("PORT", 8000))`: the lookup with `cast` set to the builtin.
    fn cast_wrapper(&mut self, node: Ts, function: Ts, args: &Args, depth: usize) -> Option<Node> {
        let ([inner], true) = (args.positional.as_slice(), args.keywords.is_empty()) else {
            return None;
        };
        let lookup = self.env_lookup(*inner, depth + 1)?;
        if lookup.get("cast").is_some() {
            return None;
        }
        let at = self.span(function);
        let mut entries = lookup.entries().to_vec();
        entries.push((Key::new("cast", at), Node::str(self.text(function), at)));
        Some(Node::map(entries, self.span(node)))
    }

    /// `{"$env": name, "default": value, "cast": text}`; `None` unless the name is a literal
    /// string (or the reader has a well-known fallback).
    fn env_node(
        &mut self,
        node: Ts,
        name: Arg,
        fallback: Option<&str>,
        default: Arg,
        cast: Option<(Span, Span, &str)>,
        depth: usize,
    ) -> Option<Node> {
        let span = self.span(node);
        let name = match (name, fallback) {
            (Some((_, name)), _) => {
                let at = self.span(name);
                let text = match name.kind() {
                    "string" | "concatenated_string" if !name.has_error() => self.string(name)?,
                    _ => return None,
                };
                (Key::new("$env", at), Node::str(text, at))
            }
            (None, Some(fallback)) => (Key::new("$env", span), Node::str(fallback, span)),
            (None, None) => return None,
        };
        let mut entries = vec![name];
        if let Some((key, value)) = default {
            let value = self.convert(value, depth + 1);
            entries.push((Key::new("default", key), value));
        }
        if let Some((key, at, text)) = cast {
            entries.push((Key::new("cast", key), Node::str(text, at)));
        }
        Some(Node::map(entries, span))
    }

    fn is_os_environ(&self, node: Ts) -> bool {
        match node.kind() {
            "identifier" => self.text(node) == "environ",
            "attribute" => {
                node.child_by_field_name("object")
                    .is_some_and(|o| self.text(o) == "os")
                    && node
                        .child_by_field_name("attribute")
                        .is_some_and(|a| self.text(a) == "environ")
            }
            _ => false,
        }
    }

    fn is_env_object(&self, node: Ts) -> bool {
        let name = self.text(node);
        node.kind() == "identifier"
            && (name == "env" || self.module.env_objects.iter().any(|n| n == name))
    }

    fn is_env_constructor(&self, node: Ts) -> bool {
        node.kind() == "call"
            && node
                .child_by_field_name("function")
                .is_some_and(|f| matches!(self.text(f), "environ.Env" | "Env"))
    }

    /// The arguments of a call, or `None` when `*args`/`**kwargs` make them unknowable.
    fn args<'t>(&self, call: Ts<'t>) -> Option<Args<'t, 'a>> {
        let list = call.child_by_field_name("arguments")?;
        if list.kind() != "argument_list" {
            return None;
        }
        let mut args = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
        };
        for arg in kids(list) {
            match arg.kind() {
                "list_splat" | "dictionary_splat" => return None,
                "keyword_argument" => {
                    let name = arg.child_by_field_name("name")?;
                    let value = arg.child_by_field_name("value")?;
                    args.keywords.push((self.text(name), name, value));
                }
                _ => args.positional.push(arg),
            }
        }
        Some(args)
    }
}

impl<'t> Args<'t, '_> {
    /// The argument at `position`, or passed as `keyword` (whose name then spans the key).
    fn get(&self, reader: &Reader, position: usize, keyword: &str) -> Arg<'t> {
        if let Some((_, name, value)) = self.keywords.iter().find(|(n, _, _)| *n == keyword) {
            return Some((reader.span(*name), *value));
        }
        self.positional.get(position).map(|v| (reader.span(*v), *v))
    }
}

/// Statements whose bodies run conditionally (or may be cut short): what they set is marked.
fn is_compound(kind: &str) -> bool {
    matches!(
        kind,
        "if_statement"
            | "elif_clause"
            | "else_clause"
            | "for_statement"
            | "while_statement"
            | "try_statement"
            | "except_clause"
            | "finally_clause"
            | "with_statement"
            | "match_statement"
            | "case_clause"
    )
}

/// Named children without comments and line continuations.
fn kids(node: Ts) -> Vec<Ts> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|k| !k.is_extra())
        .collect()
}

fn field_all<'t>(node: Ts<'t>, field: &str) -> Vec<Ts<'t>> {
    let mut cursor = node.walk();
    node.children_by_field_name(field, &mut cursor).collect()
}

/// What `X[...][...]` subscripts: `globals()` in `globals()["X"]`.
fn subscript_root(node: Ts) -> Ts {
    let mut current = node;
    while current.kind() == "subscript" {
        match current.child_by_field_name("value") {
            Some(value) => current = value,
            None => break,
        }
    }
    current
}

/// A map standing for an unknown value (`$expr`) or an environment lookup (`$env`): not a
/// dict whose items are known.
fn is_opaque(node: &Node) -> bool {
    node.entries()
        .iter()
        .any(|(k, _)| matches!(&*k.name, "$expr" | "$env"))
}

fn container_len(node: &Node) -> usize {
    node.items().len() + node.entries().len()
}

fn op_len(op: &Op) -> usize {
    match op {
        Op::Update(entries) => entries.len(),
        Op::Extend(items) => items.len(),
        Op::Set(..) | Op::Insert(..) | Op::Remove(_) => 1,
    }
}

/// `node` with `op` applied at `path`; every container on the way takes `span` (the last
/// statement that changed it), items keep theirs. `None` if anything is not static.
fn apply(node: &Node, path: &[Seg], op: Op, span: Span) -> Option<Node> {
    if is_opaque(node) {
        return None;
    }
    let value = match (path.split_first(), &node.value) {
        (None, value) => op.apply(value)?,
        (Some((Seg::Key(name, _), rest)), Value::Map(entries)) => {
            let mut entries = entries.to_vec();
            let (_, child) = entries.iter_mut().rev().find(|(k, _)| k.name == *name)?;
            *child = apply(child, rest, op, span)?;
            Value::Map(entries.into())
        }
        (Some((Seg::Index(i), rest)), Value::List(items)) => {
            let mut items = items.to_vec();
            let at = usize::try_from(if *i < 0 { *i + items.len() as i64 } else { *i }).ok()?;
            let child = items.get_mut(at)?;
            *child = apply(child, rest, op, span)?;
            Value::List(items.into())
        }
        _ => return None,
    };
    Some(Node::new(value, span))
}

impl Op {
    fn apply(self, value: &Value) -> Option<Value> {
        match (self, value) {
            (Op::Set(key, node), Value::Map(entries)) => Some(update(entries, vec![(key, node)])),
            (Op::Update(new), Value::Map(entries)) => Some(update(entries, new)),
            (Op::Extend(new), Value::List(items)) => {
                Some(Value::List(items.iter().cloned().chain(new).collect()))
            }
            (Op::Insert(at, node), Value::List(items)) => {
                let len = items.len() as i64;
                // Python clamps the index instead of failing.
                let at = if at < 0 {
                    (at + len).max(0)
                } else {
                    at.min(len)
                };
                let mut items = items.to_vec();
                items.insert(usize::try_from(at).ok()?, node);
                Some(Value::List(items.into()))
            }
            (Op::Remove(node), Value::List(items)) => {
                let target = node.to_json();
                let at = items.iter().position(|item| item.to_json() == target)?;
                let mut items = items.to_vec();
                items.remove(at);
                Some(Value::List(items.into()))
            }
            _ => None,
        }
    }
}

/// Dict update: an existing key takes the new key and value in its place, a new key goes last.
fn update(entries: &[(Key, Node)], new: Vec<(Key, Node)>) -> Value {
    let mut entries = entries.to_vec();
    for (key, node) in new {
        match entries.iter_mut().rev().find(|(k, _)| k.name == key.name) {
            Some(slot) => *slot = (key, node),
            None => entries.push((key, node)),
        }
    }
    Value::Map(entries.into())
}

// Literals

/// The value of one string literal with its prefix and quotes; `None` for f-strings (and
/// t-strings), unknown escapes like `\N{...}` and malformed literals.
fn decode_string(text: &str) -> Option<String> {
    let quote_at = text.find(['\'', '"'])?;
    let (prefix, rest) = text.split_at(quote_at);
    let prefix = prefix.to_ascii_lowercase();
    if !prefix.chars().all(|c| matches!(c, 'r' | 'b' | 'u')) {
        return None;
    }
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| rest.starts_with(q))?;
    let body = rest.strip_prefix(quote)?.strip_suffix(quote)?;
    // Python reads source with universal newlines.
    let body = body.replace("\r\n", "\n");
    if prefix.contains('r') {
        Some(body)
    } else {
        unescape(&body, prefix.contains('b'))
    }
}

fn unescape(body: &str, bytes: bool) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(escape) = chars.next() else {
            out.push('\\');
            break;
        };
        match escape {
            '\n' => {}
            '\\' | '\'' | '"' => out.push(escape),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut code = escape.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            code = code * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code)?);
            }
            'x' => out.push(hex_escape(&mut chars, 2)?),
            'u' if !bytes => out.push(hex_escape(&mut chars, 4)?),
            'U' if !bytes => out.push(hex_escape(&mut chars, 8)?),
            // Named escapes need the Unicode name table.
            'N' if !bytes => return None,
            _ => {
                out.push('\\');
                out.push(escape);
            }
        }
    }
    Some(out)
}

fn hex_escape(chars: &mut impl Iterator<Item = char>, digits: usize) -> Option<char> {
    let mut code = 0u32;
    for _ in 0..digits {
        code = code * 16 + chars.next()?.to_digit(16)?;
    }
    char::from_u32(code)
}

/// An integer literal (`1_000`, `0x1F`, `0o17`, `0b101`); `None` for complex or Python 2
/// forms and values past 128 bits.
fn int_value(text: &str) -> Option<i128> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    let digits = digits.to_ascii_lowercase();
    let (digits, radix) = if let Some(d) = digits.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = digits.strip_prefix("0o") {
        (d, 8)
    } else if let Some(d) = digits.strip_prefix("0b") {
        (d, 2)
    } else if digits.len() > 1 && digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
        return None; // `0777` is Python 2 octal, a syntax error in Python 3
    } else {
        (digits.as_str(), 10)
    };
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    i128::from_str_radix(digits, radix).ok()
}

fn float_value(text: &str) -> Option<f64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if digits.ends_with(['j', 'J']) {
        return None;
    }
    digits.parse().ok()
}

// Syntax errors

/// Parses `file`, reporting its syntax errors into `errors`, then re-parses with each broken
/// statement's lines blanked so the statements around it are read as written.
fn syntax_tree(file: &SourceFile, errors: Option<&mut Vec<ParseError>>) -> Option<Tree> {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .ok()?;
    let mut tree = parser.parse(file.text.as_bytes(), None)?;
    if let Some(errors) = errors {
        treesitter::report(tree.root_node(), file, "Python", errors);
    }
    let mut text: Option<Vec<u8>> = None;
    let repairs = MAX_REPAIRS.min(REPAIR_BYTES / file.text.len().max(1));
    for _ in 0..repairs {
        let buffer = text.get_or_insert_with(|| file.text.as_bytes().to_vec());
        let Some(lines) = broken_lines(tree.root_node(), file, buffer) else {
            break;
        };
        if let Some(bytes) = buffer.get_mut(lines.clone()) {
            for byte in bytes.iter_mut().filter(|b| !matches!(b, b'\n' | b'\r')) {
                *byte = b' ';
            }
        }
        let (start, end) = (point(file, lines.start), point(file, lines.end));
        tree.edit(&InputEdit {
            start_byte: lines.start,
            old_end_byte: lines.end,
            new_end_byte: lines.end,
            start_position: start,
            old_end_position: end,
            new_end_position: end,
        });
        tree = parser.parse(buffer.as_slice(), Some(&tree))?;
    }
    Some(tree)
}

fn point(file: &SourceFile, offset: usize) -> Point {
    let line = file.pos(offset).line;
    Point::new(
        line.saturating_sub(1) as usize,
        offset.saturating_sub(file.line_start(line)),
    )
}

/// The whole lines from the start of the statement holding the first error to the error, or
/// to the statement's end when those are already blank; `None` when nothing is left to blank.
fn broken_lines(root: Ts, file: &SourceFile, text: &[u8]) -> Option<Range<usize>> {
    let mut first = None;
    treesitter::each_error(root, |node| {
        first = Some(node);
        false
    });
    let error = first?;
    let mut statement = error;
    while let Some(parent) = statement.parent() {
        if matches!(parent.kind(), "module" | "block") || parent.parent().is_none() {
            break;
        }
        statement = parent;
    }
    let start = file.line_start(file.pos(statement.start_byte()).line);
    let line_end = |offset: usize| file.line_start(file.pos(offset).line + 1);
    let has_code = |range: &Range<usize>| {
        text.get(range.clone())
            .is_some_and(|bytes| bytes.iter().any(|b| !b.is_ascii_whitespace()))
    };
    let lines = start..line_end(error.start_byte());
    if has_code(&lines) {
        return Some(lines);
    }
    let last = statement
        .end_byte()
        .saturating_sub(1)
        .max(statement.start_byte());
    let lines = start..line_end(last);
    has_code(&lines).then_some(lines)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use serde_json::json;

    use super::{parse, parse_with_imports};
    use crate::model::{Node, SourceFile, SourceId};
    use crate::parse::Parsed;
    use crate::parse::testing::{line_col, parse_as, parse_clean};

    fn clean(text: &str) -> Node {
        parse_clean(parse, "settings.py", text).1
    }

    fn get<'n>(root: &'n Node, path: &str) -> &'n Node {
        root.get_path(path)
            .unwrap_or_else(|| panic!("no {path} in {}", root.to_json()))
    }

    /// Files named `<module>.py` with ids in order; star imports resolve by the last part of the
    /// module name.
    fn project(files: &[(&str, &str)]) -> Vec<Arc<SourceFile>> {
        files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| Arc::new(SourceFile::new(SourceId(i as u32), *path, *text)))
            .collect()
    }

    fn parse_project(files: &[Arc<SourceFile>], top: usize) -> Parsed {
        let by_name: HashMap<String, Arc<SourceFile>> = files
            .iter()
            .map(|f| (f.path.trim_end_matches(".py").to_string(), f.clone()))
            .collect();
        let resolve = |module: &str, _: &SourceFile| {
            by_name
                .get(module.rsplit('.').next().unwrap_or(""))
                .cloned()
        };
        parse_with_imports(&files[top], &resolve)
    }

    #[test]
    fn spans_of_a_setting_a_nested_value_and_a_list_item() {
        let text = "import os\n\nDEBUG = True\nDATABASES = {\n    \"default\": {\n        \"NAME\": 'db',\n    },\n}\nALLOWED_HOSTS = [\"a\", \"b.example.com\"]\n";
        let (file, root) = parse_clean(parse, "settings.py", text);
        let (key, debug) = &root.entries()[0];
        assert_eq!(&*key.name, "DEBUG");
        assert_eq!(line_col(&key.span), (3, 1));
        assert_eq!(line_col(&debug.span), (3, 9));
        assert_eq!(file.slice(&debug.span), "True");
        let name_key = &get(&root, "DATABASES.default").entries()[0].0;
        assert_eq!(line_col(&name_key.span), (6, 9));
        let name = get(&root, "DATABASES.default.NAME");
        assert_eq!(line_col(&name.span), (6, 17));
        assert_eq!(file.slice(&name.span), "'db'");
        assert_eq!(
            file.slice(&get(&root, "DATABASES").span),
            "{\n    \"default\": {\n        \"NAME\": 'db',\n    },\n}"
        );
        let host = get(&root, "ALLOWED_HOSTS.1");
        assert_eq!(line_col(&host.span), (9, 23));
        assert_eq!(file.slice(&host.span), "\"b.example.com\"");
        assert_eq!(line_col(&root.span), (1, 1));
        assert_eq!(root.span.end.line, 9);
    }

    #[test]
    fn columns_count_characters() {
        let (file, root) = parse_clean(parse, "settings.py", "NAME = \"é\"; X = 1\n");
        assert_eq!(line_col(&get(&root, "X").span), (1, 17));
        assert_eq!(file.slice(&get(&root, "NAME").span), "\"é\"");
    }

    #[test]
    fn literal_values() {
        let root = clean(concat!(
            "S1 = 'single'\nS2 = \"double\"\nS3 = '''tri\nple'''\nS4 = \"\"\"x\"\"\"\n",
            "S5 = r'\\d+\\n'\nS6 = b'\\x41\\n'\nS7 = u'\\u00e9\\t\\101'\nS8 = 'a' \"b\" r'\\c'\n",
            "S9 = ('multi'\n      'line')\nS10 = 'it\\'s'\nS11 = 'un\\known'\n",
            "I1 = 42\nI2 = 1_000\nI3 = 0xFF\nI4 = 0o17\nI5 = 0b101\nI6 = -5\nI7 = -9223372036854775808\n",
            "F1 = 1.5\nF2 = 1e3\nF3 = -.5\nF4 = 1_000.25\nF5 = 2.\n",
            "B1 = True\nB2 = False\nN = None\nP = ((3))\n",
            "L = [1, 'a', None]\nT = (1, 2)\nT1 = (1,)\nE = ()\nSET = {'x'}\nBARE = 1, 2\n",
            "D = {'a': {'b': [1, {'c': False}]}, 7: 'seven'}\nEMPTY = {}\n",
        ));
        assert_eq!(
            root.to_json(),
            json!({
                "S1": "single", "S2": "double", "S3": "tri\nple", "S4": "x",
                "S5": "\\d+\\n", "S6": "A\n", "S7": "é\tA", "S8": "ab\\c",
                "S9": "multiline", "S10": "it's", "S11": "un\\known",
                "I1": 42, "I2": 1000, "I3": 255, "I4": 15, "I5": 5, "I6": -5,
                "I7": i64::MIN,
                "F1": 1.5, "F2": 1000.0, "F3": -0.5, "F4": 1000.25, "F5": 2.0,
                "B1": true, "B2": false, "N": null, "P": 3,
                "L": [1, "a", null], "T": [1, 2], "T1": [1], "E": [], "SET": ["x"], "BARE": [1, 2],
                "D": {"a": {"b": [1, {"c": false}]}, "7": "seven"}, "EMPTY": {},
            })
        );
    }

    #[test]
    fn values_that_are_not_literals_are_expressions_with_their_source() {
        let text = "BASE_DIR = Path(__file__).resolve().parent\nSTATIC = BASE_DIR / \"static\"\nBIG = 99999999999999999999\nC = 1j\nOLD = 0777\nNAMED = '\\N{BULLET}'\nSPLAT = [*A, 1]\nK = {BASE_DIR: 1}\nCOND = 1 if X else 2\n";
        let (file, parsed) = parse_as(parse, "settings.py", text);
        assert_eq!(parsed.errors, vec![]);
        let root = &parsed.roots[0];
        for (name, source) in [
            ("BASE_DIR", "Path(__file__).resolve().parent"),
            ("STATIC", "BASE_DIR / \"static\""),
            ("BIG", "99999999999999999999"),
            ("C", "1j"),
            ("OLD", "0777"),
            ("NAMED", "'\\N{BULLET}'"),
            ("SPLAT", "[*A, 1]"),
            ("K", "{BASE_DIR: 1}"),
            ("COND", "1 if X else 2"),
        ] {
            let value = get(root, name);
            assert_eq!(value.to_json(), json!({ "$expr": source }), "{name}");
            assert_eq!(file.slice(&value.span), source);
            assert_eq!(get(value, "$expr").span, value.span);
        }
    }

    #[test]
    fn f_strings_are_expressions() {
        let (file, root) = parse_clean(
            parse,
            "settings.py",
            "NAME = 'x'\nA = f\"{NAME}-db\"\nB = 'plain' F'{x}'\nC = rf'{x}\\d'\n",
        );
        assert_eq!(
            get(&root, "A").to_json(),
            json!({"$expr": "f\"{NAME}-db\""})
        );
        assert_eq!(
            get(&root, "B").to_json(),
            json!({"$expr": "'plain' F'{x}'"})
        );
        assert_eq!(get(&root, "C.$expr").as_str(), Some("rf'{x}\\d'"));
        assert_eq!(line_col(&get(&root, "B").span), (3, 5));
        assert_eq!(file.slice(&get(&root, "C").span), "rf'{x}\\d'");
    }

    #[test]
    fn assignment_forms() {
        let (file, root) = parse_clean(
            parse,
            "settings.py",
            "A = B = 'same'\nC: int = 3\nD: str\nE, F = 1, 'f'\n(G, H) = [2, 3]\nI, J = compute()\nK, *L = 1, 2, 3\nobj.attr = 1\n",
        );
        assert_eq!(
            root.to_json(),
            json!({
                "A": "same", "B": "same", "C": 3, "E": 1, "F": "f", "G": 2, "H": 3,
                "I": {"$expr": "compute()"}, "J": {"$expr": "compute()"},
                "K": {"$expr": "1, 2, 3"},
            })
        );
        let keys: Vec<_> = root
            .entries()
            .iter()
            .map(|(k, _)| line_col(&k.span))
            .collect();
        assert_eq!(keys[..2], [(1, 1), (1, 5)]);
        assert_eq!(file.slice(&get(&root, "F").span), "'f'");
    }

    #[test]
    fn later_assignments_win_in_first_assignment_order() {
        let (file, root) =
            parse_clean(parse, "settings.py", "DEBUG = True\nX = 1\nDEBUG = False\n");
        assert_eq!(root.to_json(), json!({"DEBUG": false, "X": 1}));
        assert_eq!(root.entries().len(), 2);
        let (key, value) = &root.entries()[0];
        assert_eq!(line_col(&key.span), (3, 1));
        assert_eq!(file.slice(&value.span), "False");
    }

    #[test]
    fn names_bound_earlier_stand_for_their_values() {
        let text = "DJANGO_APPS = ['django.contrib.admin']\nLOCAL_APPS = ('app',)\nINSTALLED_APPS = DJANGO_APPS + ['x'] + LOCAL_APPS\nDEBUG = True\nTEMPLATE_DEBUG = DEBUG\nOPTIONS = {'debug': DEBUG, 'dirs': UNKNOWN}\nPATH = BASE\n";
        let (file, root) = parse_clean(parse, "settings.py", text);
        assert_eq!(
            get(&root, "INSTALLED_APPS").to_json(),
            json!(["django.contrib.admin", "x", "app"])
        );
        let apps = get(&root, "INSTALLED_APPS");
        assert_eq!(file.slice(&apps.span), "DJANGO_APPS + ['x'] + LOCAL_APPS");
        assert_eq!(line_col(&apps.items()[0].span), (1, 16));
        assert_eq!(line_col(&apps.items()[2].span), (2, 15));
        assert_eq!(get(&root, "TEMPLATE_DEBUG").to_json(), json!(true));
        assert_eq!(line_col(&get(&root, "TEMPLATE_DEBUG").span), (5, 18));
        assert_eq!(
            get(&root, "OPTIONS").to_json(),
            json!({"debug": true, "dirs": {"$expr": "UNKNOWN"}})
        );
        assert_eq!(get(&root, "PATH").to_json(), json!({"$expr": "BASE"}));
    }

    #[test]
    fn a_name_bound_to_an_expression_is_not_copied() {
        let root = clean("BASE = Path(x)\nOTHER = BASE\n");
        assert_eq!(get(&root, "OTHER").to_json(), json!({"$expr": "BASE"}));
    }

    #[test]
    fn environment_lookups() {
        let text = r#"import os
from os import environ, getenv
import environ as django_environ
from decouple import config, Csv
A = os.environ["A_VAR"]
B = os.environ.get("B_VAR")
C = os.environ.get("C_VAR", "c-default")
D = os.getenv("D_VAR", default=None)
E = environ.get("E_VAR", 5)
F = getenv("F_VAR")
G = env("G_VAR")
H = env("H_VAR", default=[1, 2])
I = env.bool("I_VAR", default=False)
J = env.int("J_VAR", 8)
K = env.str("K_VAR")
L = env.list("L_VAR", default=["a"])
M = env.json("M_VAR")
N = env.url("N_VAR")
O = env.db()
P = env.db("OTHER_DB_URL")
Q = config("Q_VAR", default=False, cast=bool)
R = config("R_VAR", cast=Csv())
S = env("S_VAR", int, 3)
T = int(os.environ.get("T_VAR", "8000"))
U = os.environ.get("U_VAR", OTHER)
V = os.environ.get(NAME_VAR)
W = env.cache_url()
X = env("X_VAR", default=env("Y_VAR"))
"#;
        let root = clean(text);
        let expected = json!({
            "A": {"$env": "A_VAR"},
            "B": {"$env": "B_VAR"},
            "C": {"$env": "C_VAR", "default": "c-default"},
            "D": {"$env": "D_VAR", "default": null},
            "E": {"$env": "E_VAR", "default": 5},
            "F": {"$env": "F_VAR"},
            "G": {"$env": "G_VAR"},
            "H": {"$env": "H_VAR", "default": [1, 2]},
            "I": {"$env": "I_VAR", "default": false, "cast": "bool"},
            "J": {"$env": "J_VAR", "default": 8, "cast": "int"},
            "K": {"$env": "K_VAR", "cast": "str"},
            "L": {"$env": "L_VAR", "default": ["a"], "cast": "list"},
            "M": {"$env": "M_VAR", "cast": "json"},
            "N": {"$env": "N_VAR", "cast": "url"},
            "O": {"$env": "DATABASE_URL", "cast": "db"},
            "P": {"$env": "OTHER_DB_URL", "cast": "db"},
            "Q": {"$env": "Q_VAR", "default": false, "cast": "bool"},
            "R": {"$env": "R_VAR", "cast": "Csv()"},
            "S": {"$env": "S_VAR", "default": 3, "cast": "int"},
            "T": {"$env": "T_VAR", "default": "8000", "cast": "int"},
            "U": {"$env": "U_VAR", "default": {"$expr": "OTHER"}},
            "V": {"$expr": "os.environ.get(NAME_VAR)"},
            "W": {"$env": "CACHE_URL", "cast": "cache_url"},
            "X": {"$env": "X_VAR", "default": {"$env": "Y_VAR"}},
        });
        for (name, want) in expected.as_object().expect("object") {
            assert_eq!(&get(&root, name).to_json(), want, "{name}");
        }
    }

    #[test]
    fn environment_lookup_spans() {
        let text = "SECRET_KEY = env.str(\"SECRET\", default=\"dev\")\nDB = env.db()\nQ = config('Q', cast=bool)\n";
        let (file, root) = parse_clean(parse, "settings.py", text);
        let secret = get(&root, "SECRET_KEY");
        assert_eq!(
            file.slice(&secret.span),
            "env.str(\"SECRET\", default=\"dev\")"
        );
        let entries = secret.entries();
        assert_eq!(file.slice(&entries[0].0.span), "\"SECRET\"");
        assert_eq!(file.slice(&entries[0].1.span), "\"SECRET\"");
        assert_eq!(file.slice(&entries[1].0.span), "default");
        assert_eq!(line_col(&entries[1].1.span), (1, 40));
        assert_eq!(file.slice(&entries[2].1.span), "str");
        let db = get(&root, "DB");
        assert_eq!(file.slice(&get(db, "$env").span), "env.db()");
        let cast = &get(&root, "Q").entries()[1];
        assert_eq!(
            (file.slice(&cast.0.span), file.slice(&cast.1.span)),
            ("cast", "bool")
        );
    }

    #[test]
    fn any_name_bound_to_environ_env_reads_the_environment() {
        let root = clean(
            "import environ\nENV = environ.Env()\nDEBUG = ENV.bool('DEBUG', default=False)\nX = other.bool('X')\n",
        );
        assert_eq!(get(&root, "DEBUG.$env").as_str(), Some("DEBUG"));
        assert_eq!(
            get(&root, "X").to_json(),
            json!({"$expr": "other.bool('X')"})
        );
    }

    #[test]
    fn in_place_updates_of_lists_and_maps() {
        let text = concat!(
            "APPS = ['a']\n",
            "APPS += ['b']\n",
            "APPS += ('c',)\n",
            "APPS.append('d')\n",
            "APPS.extend(['e', 'f'])\n",
            "APPS.insert(0, 'first')\n",
            "APPS.insert(-1, 'before-last')\n",
            "APPS.remove('b')\n",
            "DB = {'default': {'ENGINE': 'x'}}\n",
            "DB['default']['ATOMIC_REQUESTS'] = True\n",
            "DB['default']['ENGINE'] = 'y'\n",
            "DB.update({'replica': {}}, )\n",
            "DB.update(other=1)\n",
            "DB |= {'third': 3}\n",
            "TEMPLATES = [{'OPTIONS': {'context_processors': []}}]\n",
            "TEMPLATES[0]['OPTIONS']['debug'] = True\n",
            "TEMPLATES[-1]['OPTIONS']['context_processors'].append('cp')\n",
            "APPS[0] = 'ignored'\n",
        );
        let (file, root) = parse_clean(parse, "settings.py", text);
        assert_eq!(
            get(&root, "APPS").to_json(),
            json!(["first", "a", "c", "d", "e", "before-last", "f"])
        );
        let apps = get(&root, "APPS");
        assert_eq!(file.slice(&apps.span), "APPS.remove('b')");
        assert_eq!(line_col(&apps.items()[1].span), (1, 9));
        assert_eq!(line_col(&apps.items()[2].span), (3, 10));
        assert_eq!(line_col(&apps.items()[3].span), (4, 13));
        assert_eq!(
            line_col(&root.entries()[0].0.span),
            (1, 1),
            "the key stays where it was bound"
        );
        assert_eq!(
            get(&root, "DB").to_json(),
            json!({"default": {"ENGINE": "y", "ATOMIC_REQUESTS": true}, "replica": {}, "other": 1, "third": 3})
        );
        assert_eq!(
            line_col(&get(&root, "DB.default.ATOMIC_REQUESTS").span),
            (10, 36)
        );
        let engine_key = &get(&root, "DB.default").entries()[0].0;
        assert_eq!(line_col(&engine_key.span), (11, 15));
        assert_eq!(file.slice(&get(&root, "DB").span), "DB |= {'third': 3}");
        assert_eq!(
            file.slice(&get(&root, "DB.default").span),
            "DB['default']['ENGINE'] = 'y'"
        );
        assert_eq!(file.slice(&get(&root, "DB.other").span), "1");
        assert_eq!(
            get(&root, "TEMPLATES").to_json(),
            json!([{"OPTIONS": {"context_processors": ["cp"], "debug": true}}])
        );
    }

    #[test]
    fn updates_of_values_not_statically_known_change_nothing() {
        let text = "A = compute()\nA.append(1)\nA += [2]\nB = [1]\nB += other\nB.extend(more)\nB.remove(x)\nB.remove(9)\nC = env.db()\nC['ATOMIC'] = True\nD = {}\nD['k'] += [1]\nD[k] = 1\nE = 'text'\nE += 'more'\nMISSING.append(1)\n";
        let (file, root) = parse_clean(parse, "settings.py", text);
        assert_eq!(get(&root, "A").to_json(), json!({"$expr": "compute()"}));
        assert_eq!(get(&root, "B").to_json(), json!([1]));
        assert_eq!(file.slice(&get(&root, "B").span), "[1]");
        assert_eq!(
            get(&root, "C").to_json(),
            json!({"$env": "DATABASE_URL", "cast": "db"})
        );
        assert_eq!(get(&root, "D").to_json(), json!({}));
        assert_eq!(get(&root, "E").to_json(), json!("text"));
        assert!(root.get("MISSING").is_none());
    }

    #[test]
    fn conditional_assignments_are_marked() {
        let text = "DEBUG = False\nif os.environ.get('DEV'):\n    DEBUG = True\n    APPS = ['x']\nelif other:\n    Y = 1\nelse:\n    Z = 2\ntry:\n    import foo\n    HAS_FOO = True\nexcept ImportError:\n    HAS_FOO = False\nfinally:\n    F = 1\nwith open('x') as fh:\n    W = fh.read()\nfor i in range(3):\n    LOOP = i\nwhile False:\n    WH = 1\nA = 1\nif x:\n    A = 2\nA = 3\nLIST = []\nif x:\n    LIST.append(1)\nLIST.append(2)\n";
        let (file, root) = parse_clean(parse, "settings.py", text);
        assert_eq!(get(&root, "DEBUG").to_json(), json!(true));
        let conditional = get(&root, "$conditional");
        let names: Vec<&str> = conditional
            .entries()
            .iter()
            .map(|(k, _)| &*k.name)
            .collect();
        assert_eq!(
            names,
            [
                "DEBUG", "APPS", "Y", "Z", "HAS_FOO", "F", "W", "LOOP", "WH", "LIST"
            ]
        );
        assert_eq!(get(conditional, "DEBUG").to_json(), json!(true));
        let debug = get(conditional, "DEBUG");
        assert_eq!(file.slice(&debug.span), "DEBUG = True");
        assert_eq!(line_col(&debug.span), (3, 5));
        assert_eq!(line_col(&conditional.entries()[0].0.span), (3, 5));
        assert_eq!(
            file.slice(&get(conditional, "HAS_FOO").span),
            "HAS_FOO = False"
        );
        assert_eq!(file.slice(&get(conditional, "LIST").span), "LIST.append(1)");
        assert_eq!(conditional.span, debug.span);
        assert_eq!(get(&root, "LIST").to_json(), json!([1, 2]));
    }

    #[test]
    fn functions_and_classes_are_skipped() {
        let root = clean(
            "def f():\n    INNER = 1\n    exec('x')\n\n@decorator\ndef g():\n    G = 1\n\nclass C:\n    CLS = 2\n\nOUTER = 3\n",
        );
        assert_eq!(root.to_json(), json!({"OUTER": 3}));
    }

    #[test]
    fn dynamic_statements_are_listed() {
        let text = "exec(open('local.py').read())\neval('1')\nglobals()['X'] = 1\nlocals().update({'Y': 2})\nif x:\n    globals().update(Z=3)\nvars()['A']['B'] = 1\nok = len('x')\n";
        let (file, root) = parse_clean(parse, "settings.py", text);
        let dynamic = get(&root, "$dynamic");
        let sources: Vec<_> = dynamic
            .items()
            .iter()
            .map(|n| get(n, "$expr").as_str().unwrap_or(""))
            .collect();
        assert_eq!(
            sources,
            [
                "exec(open('local.py').read())",
                "eval('1')",
                "globals()['X'] = 1",
                "locals().update({'Y': 2})",
                "globals().update(Z=3)",
                "vars()['A']['B'] = 1",
            ]
        );
        assert_eq!(line_col(&dynamic.items()[4].span), (6, 5));
        assert_eq!(file.slice(&dynamic.span), "exec(open('local.py').read())");
        assert!(root.get("X").is_none());
        // A value that `eval` computes is listed too, and kept as source, never run.
        let (_, root) = parse_clean(parse, "settings.py", "SECRET_KEY = eval('\"x\" * 50')\n");
        let dynamic = get(&root, "$dynamic");
        assert_eq!(
            get(&dynamic.items()[0], "$expr").as_str(),
            Some("eval('\"x\" * 50')")
        );
        assert_eq!(
            get(get(&root, "SECRET_KEY"), "$expr").as_str(),
            Some("eval('\"x\" * 50')")
        );
    }

    #[test]
    fn python2_exec_statement_is_dynamic() {
        let (_, parsed) = parse_as(parse, "settings.py", "exec 'X = 1'\nY = 2\n");
        let root = &parsed.roots[0];
        assert_eq!(get(root, "Y").to_json(), json!(2));
        assert_eq!(
            get(root, "$dynamic").to_json(),
            json!([{"$expr": "exec 'X = 1'"}])
        );
    }

    #[test]
    fn star_import_applies_the_base_settings_where_it_stands() {
        let files = project(&[
            (
                "base.py",
                "DEBUG = True\nSECRET_KEY = 'base-secret'\n_PRIVATE = 1\nAPPS = ['a']\nif x:\n    C = 1\nDB = {'default': {}}\n",
            ),
            (
                "production.py",
                "from .base import *  # noqa\nfrom .base import APPS\nDEBUG = False\nAPPS += ['prod']\nDB['default']['CONN_MAX_AGE'] = 60\n",
            ),
        ]);
        let parsed = parse_project(&files, 1);
        assert_eq!(parsed.errors, vec![]);
        let root = &parsed.roots[0];
        assert_eq!(
            root.to_json(),
            json!({
                "DEBUG": false, "SECRET_KEY": "base-secret", "APPS": ["a", "prod"], "C": 1,
                "DB": {"default": {"CONN_MAX_AGE": 60}},
                "$conditional": {"C": true}, "$imports": [".base"],
            })
        );
        let (base, production) = (&files[0], &files[1]);
        let secret = get(root, "SECRET_KEY");
        assert_eq!(secret.span.source, base.id);
        assert_eq!(line_col(&secret.span), (2, 14));
        assert_eq!(base.slice(&secret.span), "'base-secret'");
        assert_eq!(root.entries()[1].0.span.source, base.id);
        let debug = get(root, "DEBUG");
        assert_eq!(
            (debug.span.source, line_col(&debug.span)),
            (production.id, (3, 9))
        );
        let apps = get(root, "APPS");
        assert_eq!(apps.span.source, production.id);
        assert_eq!(apps.items()[0].span.source, base.id);
        assert_eq!(apps.items()[1].span.source, production.id);
        let import = get(root, "$imports.0");
        assert_eq!(production.slice(&import.span), "from .base import *");
        assert_eq!(get(root, "$conditional.C").span.source, base.id);
        assert_eq!(root.span.source, production.id);
    }

    #[test]
    fn settings_after_a_star_import_override_and_before_it_are_overridden() {
        let files = project(&[
            ("common.py", "A = 'common'\nB = 'common'\n"),
            (
                "local.py",
                "A = 'local'\nfrom config.settings.common import *\nB = 'local'\n",
            ),
        ]);
        let root = &parse_project(&files, 1).roots[0];
        assert_eq!(
            root.to_json(),
            json!({"A": "common", "B": "local", "$imports": ["config.settings.common"]})
        );
    }

    #[test]
    fn nested_and_conditional_star_imports() {
        let files = project(&[
            ("base.py", "BASE = 1\nfrom .missing import *\nexec('x')\n"),
            ("dev.py", "from .base import *\nDEV = 2\n"),
            (
                "top.py",
                "from .dev import *\ntry:\n    from .local import *\nexcept ImportError:\n    pass\nif x:\n    from .dev import *\n",
            ),
            ("local.py", "LOCAL = 3\nDEV = 'local'\n"),
        ]);
        let parsed = parse_project(&files, 2);
        assert_eq!(parsed.errors, vec![]);
        let root = &parsed.roots[0];
        assert_eq!(
            get(root, "$imports").to_json(),
            json!([
                ".dev", ".base", ".missing", ".local", ".dev", ".base", ".missing"
            ])
        );
        assert_eq!(
            get(root, "$unresolved").to_json(),
            json!([".missing", ".missing"])
        );
        assert_eq!(get(root, "$unresolved.0").span.source, files[0].id);
        assert_eq!(get(root, "$dynamic").items().len(), 2);
        assert_eq!(get(root, "DEV").to_json(), json!(2));
        let conditional = get(root, "$conditional");
        assert_eq!(
            conditional.to_json(),
            json!({"LOCAL": true, "DEV": true, "BASE": true})
        );
        assert_eq!(
            files[2].slice(&get(conditional, "LOCAL").span),
            "from .local import *"
        );
        assert_eq!(line_col(&get(conditional, "BASE").span), (7, 5));
    }

    #[test]
    fn unresolved_star_imports_are_listed() {
        let (file, root) = parse_clean(
            parse,
            "settings.py",
            "from .base import *\nfrom . import *\nfrom . base import *\nfrom os import path\nimport json\nX = 1\n",
        );
        assert_eq!(
            get(&root, "$imports").to_json(),
            json!([".base", ".", ".base"])
        );
        assert_eq!(
            get(&root, "$unresolved").to_json(),
            json!([".base", ".", ".base"])
        );
        let second = get(&root, "$unresolved.1");
        assert_eq!(line_col(&second.span), (2, 1));
        assert_eq!(file.slice(&second.span), "from . import *");
    }

    #[test]
    fn an_import_cycle_is_an_error_not_a_hang() {
        let files = project(&[
            ("a.py", "A = 1\nfrom .b import *\nAFTER = 2\n"),
            ("b.py", "B = 1\nfrom .a import *\n"),
        ]);
        let parsed = parse_project(&files, 0);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        let error = &parsed.errors[0];
        assert_eq!(error.message, "star import cycle: a.py → b.py → a.py");
        assert_eq!(
            (error.span.source, line_col(&error.span)),
            (files[1].id, (2, 1))
        );
        assert_eq!(
            parsed.roots[0].to_json(),
            json!({"A": 1, "B": 1, "AFTER": 2, "$imports": [".b", ".a"]})
        );

        let itself = project(&[("self.py", "from .self import *\nX = 1\n")]);
        let parsed = parse_project(&itself, 0);
        assert_eq!(
            parsed.errors[0].message,
            "star import cycle: self.py → self.py"
        );
        assert_eq!(get(&parsed.roots[0], "X").to_json(), json!(1));
    }

    #[test]
    fn star_imports_nested_too_deep_are_an_error() {
        let texts: Vec<(String, String)> = (0..20)
            .map(|i| {
                (
                    format!("m{i}.py"),
                    format!("V{i} = {i}\nfrom .m{} import *\n", i + 1),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let files = project(&pairs);
        let parsed = parse_project(&files, 0);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(
            parsed.errors[0].message,
            "star imports nested more than 16 deep"
        );
        assert_eq!(parsed.errors[0].span.source, files[16].id);
        let root = &parsed.roots[0];
        assert_eq!(get(root, "V16").to_json(), json!(16));
        assert!(root.get("V17").is_none());
        // m19 imports the missing m20.
        assert!(root.get("$unresolved").is_none());
    }

    #[test]
    fn repeated_imports_are_bounded() {
        // Each module star-imports the next one twice: 2^16 reads without a bound.
        let texts: Vec<(String, String)> = (0..17)
            .map(|i| {
                (
                    format!("m{i}.py"),
                    format!("from .m{0} import *\nfrom .m{0} import *\n", i + 1),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let parsed = parse_project(&project(&pairs), 0);
        assert!(
            parsed
                .errors
                .iter()
                .any(|e| e.message == "more than 256 star-imported modules")
        );
    }

    #[test]
    fn a_syntax_error_on_one_line_keeps_the_other_settings() {
        for (broken, column, message) in [
            ("B = [1, 2", 3, "invalid Python syntax near `= [1, 2`"),
            ("B = {'a': 1,", 3, "invalid Python syntax near `= {'a': 1,`"),
            ("B = foo(", 1, "invalid Python syntax near `B = foo(`"),
            ("B = = 3", 5, "invalid Python syntax near `=`"),
            ("B = 'unterminated", 5, "invalid Python syntax near `'`"),
            ("B = 1 +* 2", 3, "invalid Python syntax near `= 1 +* 2`"),
            ("if B", 1, "invalid Python syntax near `if B`"),
            ("B = (1, 2]", 1, "invalid Python syntax near `B = (1, 2]`"),
        ] {
            let text = format!("A = 1\nLIST = [\n    'x',\n]\n{broken}\nC = 3\nD = {{'k': 'v'}}\n");
            let (_, parsed) = parse_as(parse, "settings.py", &text);
            assert_eq!(parsed.roots.len(), 1, "{broken}");
            let root = &parsed.roots[0];
            assert_eq!(
                root.to_json(),
                json!({"A": 1, "LIST": ["x"], "C": 3, "D": {"k": "v"}}),
                "{broken}"
            );
            assert_eq!(line_col(&get(root, "C").span), (6, 5), "{broken}");
            let error = parsed
                .errors
                .first()
                .unwrap_or_else(|| panic!("no error for {broken}"));
            assert_eq!(
                line_col(&error.span),
                (5, column),
                "{broken}: {:?}",
                parsed.errors
            );
            assert_eq!(error.message, message, "{broken}");
        }
    }

    #[test]
    fn a_templated_settings_file_keeps_its_plain_settings() {
        // Cookiecutter templates: tree-sitter may make the whole module an ERROR node.
        let text = "A = 1\nAPPS = [\n    'a',\n{%- if x == 'y' %}\n    'b',\n{%- endif %}\n]\nB = 2\n{% if z %}\nC = 3\n{% endif %}\n";
        let (_, parsed) = parse_as(parse, "settings.py", text);
        assert_eq!(parsed.roots[0].to_json(), json!({"A": 1, "B": 2, "C": 3}));
        assert_eq!(line_col(&parsed.errors[0].span), (2, 1));
        let (_, parsed) = parse_as(parse, "settings.py", "}}}}\nA = 1\n");
        assert_eq!(
            parsed.errors[0].message,
            "invalid Python syntax near `}}}}`"
        );
        assert_eq!(parsed.roots[0].to_json(), json!({"A": 1}));
    }

    #[test]
    fn missing_tokens_are_reported() {
        let (_, parsed) = parse_as(parse, "settings.py", "def f(:\n    pass\nX = 1\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].message, "missing `)`");
        assert_eq!(line_col(&parsed.errors[0].span), (1, 7));
        assert_eq!(parsed.roots[0].to_json(), json!({"X": 1}));
    }

    #[test]
    fn a_syntax_error_in_a_block_keeps_the_block() {
        let (_, parsed) = parse_as(
            parse,
            "settings.py",
            "if x:\n    A = 1\n    B = = 2\n    C = 3\nD = 4\n",
        );
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(line_col(&parsed.errors[0].span), (3, 9));
        assert_eq!(
            parsed.roots[0].to_json(),
            json!({"A": 1, "C": 3, "D": 4, "$conditional": {"A": true, "C": true}})
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let deep_list = format!("A = {}1{}\nB = 2\n", "[".repeat(50_000), "]".repeat(50_000));
        let (_, parsed) = parse_as(parse, "settings.py", &deep_list);
        assert_eq!(get(&parsed.roots[0], "B").to_json(), json!(2));
        assert!(
            parsed
                .errors
                .iter()
                .any(|e| e.message.starts_with("nested more than 200"))
        );
        assert!(get(&parsed.roots[0], "A").items().len() == 1);

        let deep_dict = format!("A = {}1{}\n", "{'k': ".repeat(20_000), "}".repeat(20_000));
        let (_, parsed) = parse_as(parse, "settings.py", &deep_dict);
        assert_eq!(parsed.roots.len(), 1);

        let deep_parens = format!("A = {}1{}\n", "(".repeat(50_000), ")".repeat(50_000));
        assert_eq!(
            parse_as(parse, "settings.py", &deep_parens).1.roots.len(),
            1
        );

        let long_sum = format!("A = [1]{}\n", " + [1]".repeat(20_000));
        assert_eq!(get(&clean(&long_sum), "A").items().len(), 20_001);
        let signs = format!("A = {}1\n", "- ".repeat(100_001));
        assert!(
            parse_as(parse, "settings.py", &signs).1.errors[0]
                .message
                .starts_with("nested")
        );

        let deep_ifs: String = (0..300)
            .map(|i| format!("{}if x:\n", "    ".repeat(i)))
            .collect::<String>()
            + "    ".repeat(300).as_str()
            + "A = 1\nB = 2\n";
        let (_, parsed) = parse_as(parse, "settings.py", &deep_ifs);
        assert_eq!(get(&parsed.roots[0], "B").to_json(), json!(2));

        let deep_targets = format!("{}A{} = 1\nB = 2\n", "(".repeat(5_000), ",)".repeat(5_000));
        assert_eq!(
            parse_as(parse, "settings.py", &deep_targets).1.roots.len(),
            1
        );
        let deep_subscript = format!("X = {{}}\nX{} = 1\n", "['k']".repeat(5_000));
        assert_eq!(
            parse_as(parse, "settings.py", &deep_subscript)
                .1
                .roots
                .len(),
            1
        );

        let big = format!("SECRET = '{}'\nX = 1\n", "é".repeat(500_000));
        let root = clean(&big);
        assert_eq!(
            get(&root, "SECRET").as_str().map(|s| s.chars().count()),
            Some(500_000)
        );
        assert_eq!(line_col(&get(&root, "X").span), (2, 5));

        let (_, parsed) = parse_as(parse, "settings.py", "A = 1\0\nB = 'a\0b'\nC = 3\n\0\0\0");
        assert!(!parsed.errors.is_empty());
        assert_eq!(get(&parsed.roots[0], "C").to_json(), json!(3));

        let garbage: String = (0..50_000u32)
            .map(|i| char::from_u32(32 + (i * 7919) % 95).unwrap_or('x'))
            .map(|c| if c == '~' { '\n' } else { c })
            .collect();
        let (_, parsed) = parse_as(parse, "settings.py", &garbage);
        assert!(parsed.errors.len() <= 101);

        // Each append copies the list: past a budget of copies the rest are not applied.
        let appends = format!("X = []\n{}", "X.append(1)\n".repeat(10_000));
        let root = clean(&appends);
        assert!((1_000..10_000).contains(&get(&root, "X").items().len()));

        for text in [
            "",
            "\n\n",
            "# only a comment\n",
            "\u{feff}X = 1\n",
            "X = '''\n",
            "\\",
            "(",
            "'''",
            "if",
        ] {
            let (_, parsed) = parse_as(parse, "settings.py", text);
            assert_eq!(parsed.roots.len(), 1, "{text:?}");
        }
    }

    #[test]
    fn a_cookiecutter_style_settings_module() {
        let text = r#""""Base settings to build other settings files upon."""
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve(strict=True).parent.parent.parent
APPS_DIR = BASE_DIR / "my_project"
env = environ.Env()

READ_DOT_ENV_FILE = env.bool("DJANGO_READ_DOT_ENV_FILE", default=False)
if READ_DOT_ENV_FILE:
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
DEBUG = env.bool("DJANGO_DEBUG", False)
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
SITE_ID = 1
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [str(APPS_DIR / "locale")]

# DATABASES
DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///my_project")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# APPS
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "allauth",
]
LOCAL_APPS = [
    "my_project.users",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# SECURITY
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="!!!SET DJANGO_SECRET_KEY!!!",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "0.0.0.0"])

# TEMPLATES
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(APPS_DIR / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
            ],
        },
    },
]

# EMAIL
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_TIMEOUT = 5
ADMINS = [("""Jane Doe""", "jane@example.com")]
MANAGERS = ADMINS
# the end
"#;
        let (file, root) = parse_clean(parse, "config/settings/base.py", text);
        assert_eq!(text.lines().count(), 80);
        let names: Vec<&str> = root.entries().iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(names.len(), 29, "{names:?}");
        assert_eq!(
            names[..4],
            ["BASE_DIR", "APPS_DIR", "env", "READ_DOT_ENV_FILE"]
        );
        assert_eq!(names.last(), Some(&"MANAGERS"));
        assert!(
            root.get("$conditional").is_none(),
            "a call in an if block sets nothing"
        );
        assert_eq!(
            get(&root, "DEBUG").to_json(),
            json!({"$env": "DJANGO_DEBUG", "default": false, "cast": "bool"})
        );
        assert_eq!(
            get(&root, "DATABASES").to_json(),
            json!({"default": {"$env": "DATABASE_URL", "default": "postgres:///my_project", "cast": "db"}}),
            "an environment lookup is not a dict to update"
        );
        assert_eq!(
            get(&root, "INSTALLED_APPS").to_json(),
            json!([
                "django.contrib.auth",
                "django.contrib.contenttypes",
                "django.contrib.sessions",
                "django.contrib.admin",
                "crispy_forms",
                "allauth",
                "my_project.users",
            ])
        );
        assert_eq!(line_col(&get(&root, "INSTALLED_APPS.4").span), (40, 5));
        let secret = get(&root, "SECRET_KEY");
        assert_eq!(
            get(secret, "default").as_str(),
            Some("!!!SET DJANGO_SECRET_KEY!!!")
        );
        assert_eq!(
            (line_col(&secret.span), secret.span.end.line),
            ((52, 14), 55)
        );
        assert_eq!(line_col(&get(secret, "default").span), (54, 13));
        assert_eq!(
            get(&root, "ALLOWED_HOSTS.default").to_json(),
            json!(["localhost", "0.0.0.0"])
        );
        assert_eq!(get(&root, "TEMPLATES.0.APP_DIRS").to_json(), json!(true));
        assert_eq!(
            get(&root, "TEMPLATES.0.DIRS.0").to_json(),
            json!({"$expr": "str(APPS_DIR / \"templates\")"})
        );
        let processor = get(&root, "TEMPLATES.0.OPTIONS.context_processors.0");
        assert_eq!(line_col(&processor.span), (66, 17));
        assert_eq!(
            get(&root, "MANAGERS").to_json(),
            json!([["Jane Doe", "jane@example.com"]])
        );
        assert_eq!(file.slice(&get(&root, "MANAGERS").span), "ADMINS");
        assert_eq!(get(&root, "X_FRAME_OPTIONS").as_str(), Some("DENY"));
    }

    #[test]
    fn corpus_settings_files_parse_without_panics() {
        let files = crate::parse::testing::corpus_files(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let in_settings = path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|d| d == "settings");
            name.ends_with(".py") && (name.starts_with("settings") || in_settings)
        });
        let mut with_errors = Vec::new();
        for (i, path) in files.iter().enumerate() {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let file = SourceFile::new(SourceId(i as u32), path.to_string_lossy(), text);
            let parsed = parse(&file);
            assert_eq!(parsed.roots.len(), 1, "{}", path.display());
            if !parsed.errors.is_empty() {
                with_errors.push(format!(
                    "{} ({}: {})",
                    path.display(),
                    parsed.errors.len(),
                    parsed.errors[0].message
                ));
            }
        }
        eprintln!(
            "{} settings files, {} with errors:\n{}",
            files.len(),
            with_errors.len(),
            with_errors.join("\n")
        );
    }
}

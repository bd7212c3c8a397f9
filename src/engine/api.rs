//! The host API policies see: the `Node` type and `report`.
//!
//! Nodes are handed to scripts as clones of [`Node`], which share the tree behind `Arc`s, so
//! no call deep-copies a document. A missing key reads as `()`, and indexing `()` gives `()`
//! again, so `doc.services.web.image` is `()` when any step is absent instead of an error.

use std::sync::{Arc, Mutex};

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, ImmutableString, Map, NativeCallContext};

use super::meta::RuleMeta;
use crate::finding::{Finding, Severity};
use crate::model::{Document, Node, Project, SourceFile, SourceMap, Value};

/// What one rule call needs from the host: where sources are and where findings go. Passed to
/// every call as its Rhai tag, so one shared engine serves all threads.
pub struct CallContext {
    pub sources: Arc<SourceMap>,
    pub project: Arc<Project>,
    /// The document being checked, as an index into `project.documents`; `None` in
    /// `check_project`.
    pub document: Option<usize>,
    /// The rule running: its id, default severity, checklist items and help.
    pub rule: Arc<RuleMeta>,
    /// The rule's parameters (`params` in the script).
    pub params: Arc<Map>,
    pub findings: Mutex<Vec<Finding>>,
    /// Values stdlib helpers computed once per scan (`project.cache`), shared by every call.
    pub cache: Arc<ScanCache>,
}

/// Per-scan memo of values scripts computed, by key.
pub type ScanCache = Mutex<std::collections::HashMap<String, Dynamic>>;

pub(super) type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

impl CallContext {
    fn document(&self) -> Option<&Document> {
        self.document.and_then(|i| self.project.documents.get(i))
    }
}

pub(super) fn call_context(ctx: &NativeCallContext) -> RhaiResult<Arc<CallContext>> {
    ctx.tag()
        .and_then(|tag| tag.clone().try_cast::<Arc<CallContext>>())
        .ok_or_else(|| "this function is only available while a rule runs".into())
}

/// The file a node's span points into.
fn source_of(ctx: &NativeCallContext, node: &Node) -> RhaiResult<Option<Arc<SourceFile>>> {
    Ok(call_context(ctx)?.sources.get(node.span.source).cloned())
}

/// Registers the node type, its methods and `report` on the engine.
pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Node>("Node");

    engine.register_indexer_get(|node: &mut Node, key: &str| child(node.get(key)));
    engine.register_indexer_get(|node: &mut Node, index: INT| child(list_item(node, index)));
    // `()` indexes to `()`, which makes chains over absent keys read as absent.
    engine.register_indexer_get(|_: &mut (), _: &str| Dynamic::UNIT);
    engine.register_indexer_get(|_: &mut (), _: INT| Dynamic::UNIT);
    engine.register_fn("get", |node: &mut Node, path: &str| {
        child(node.get_path(path))
    });
    engine.register_fn("get", |_: (), _: &str| Dynamic::UNIT);

    engine.register_fn("value", |node: &mut Node| to_dynamic(node));
    engine.register_fn(
        "text",
        |ctx: NativeCallContext, node: &mut Node| -> RhaiResult<String> {
            Ok(source_of(&ctx, node)?
                .map_or_else(String::new, |file| file.slice(&node.span).to_string()))
        },
    );
    engine.register_fn(
        "span",
        |ctx: NativeCallContext, node: &mut Node| -> RhaiResult<Map> {
            let path = source_of(&ctx, node)?.map_or_else(String::new, |f| f.path.clone());
            let span = node.span;
            let mut map = Map::new();
            map.insert("path".into(), path.into());
            map.insert("line".into(), INT::from(span.start.line).into());
            map.insert("column".into(), INT::from(span.start.column).into());
            map.insert("end_line".into(), INT::from(span.end.line).into());
            map.insert("end_column".into(), INT::from(span.end.column).into());
            Ok(map)
        },
    );
    engine.register_fn("line", |node: &mut Node| INT::from(node.span.start.line));
    engine.register_fn(
        "path",
        |ctx: NativeCallContext, node: &mut Node| -> RhaiResult<String> {
            Ok(source_of(&ctx, node)?.map_or_else(String::new, |f| f.path.clone()))
        },
    );

    engine.register_fn(
        "document_kind",
        |ctx: NativeCallContext| -> RhaiResult<String> {
            Ok(call_context(&ctx)?
                .document()
                .map_or("", |d| d.kind.as_str())
                .to_string())
        },
    );
    engine.register_fn(
        "document_path",
        |ctx: NativeCallContext| -> RhaiResult<String> {
            Ok(call_context(&ctx)?
                .document()
                .map_or_else(String::new, |d| d.path.clone()))
        },
    );
    engine.register_fn("split_once", split_once);

    engine.register_fn("type_name", |node: &mut Node| node.type_name());
    engine.register_fn("is_map", |node: &mut Node| {
        matches!(node.value, Value::Map(_))
    });
    engine.register_fn("is_list", |node: &mut Node| {
        matches!(node.value, Value::List(_))
    });
    engine.register_fn("is_string", |node: &mut Node| {
        matches!(node.value, Value::Str(_))
    });
    engine.register_fn("is_int", |node: &mut Node| {
        matches!(node.value, Value::Int(_))
    });
    engine.register_fn("is_float", |node: &mut Node| {
        matches!(node.value, Value::Float(_))
    });
    engine.register_fn("is_number", |node: &mut Node| {
        matches!(node.value, Value::Int(_) | Value::Float(_))
    });
    engine.register_fn("is_bool", |node: &mut Node| {
        matches!(node.value, Value::Bool(_))
    });
    engine.register_fn("is_null", |node: &mut Node| {
        matches!(node.value, Value::Null)
    });
    engine.register_fn("is_scalar", |node: &mut Node| {
        !matches!(node.value, Value::List(_) | Value::Map(_))
    });
    engine.register_fn("is_expr", |node: &mut Node| node.get("$expr").is_some());

    engine.register_fn("keys", |node: &mut Node| -> Array {
        node.entries()
            .iter()
            .map(|(k, _)| Dynamic::from(k.name.to_string()))
            .collect()
    });
    engine.register_fn("has", |node: &mut Node, key: &str| node.get(key).is_some());
    engine.register_fn("contains", contains);
    engine.register_fn("len", |node: &mut Node| -> INT {
        let len = match &node.value {
            Value::Map(entries) => entries.len(),
            Value::List(items) => items.len(),
            Value::Str(s) => s.chars().count(),
            _ => 0,
        };
        len as INT
    });
    engine.register_fn("items", |node: &mut Node| -> Array {
        children(node).map(Dynamic::from).collect()
    });
    engine.register_fn("entries", |node: &mut Node| -> Array {
        node.entries()
            .iter()
            .map(|(key, value)| {
                let mut entry = Map::new();
                entry.insert(
                    "key".into(),
                    Dynamic::from(Node::str(key.name.clone(), key.span)),
                );
                entry.insert("value".into(), Dynamic::from(value.clone()));
                Dynamic::from_map(entry)
            })
            .collect()
    });
    engine.register_fn("key", |node: &mut Node, name: &str| {
        child(
            node.entries()
                .iter()
                .rev()
                .find(|(k, _)| &*k.name == name)
                .map(|(k, _)| Node::str(k.name.clone(), k.span))
                .as_ref(),
        )
    });
    engine.register_iterator::<Node>();

    engine.register_fn("truthy", |node: &mut Node| truthy(node));
    engine.register_fn("falsy", |node: &mut Node| falsy(node));
    engine.register_fn("to_string", |node: &mut Node| display(node));
    engine.register_fn("to_debug", |node: &mut Node| {
        format!("Node({})", node.to_json())
    });
    register_comparisons(engine);

    engine.register_fn(
        "report",
        |ctx: NativeCallContext, node: Node, message: &str| {
            report(&ctx, Some(&node), message, None, None)
        },
    );
    engine.register_fn(
        "report",
        |ctx: NativeCallContext, node: Node, message: &str, help: &str| {
            report(&ctx, Some(&node), message, Some(help), None)
        },
    );
    engine.register_fn(
        "report",
        |ctx: NativeCallContext, node: Node, message: &str, options: Map| {
            report_with_options(&ctx, Some(&node), message, &options)
        },
    );
    engine.register_fn(
        "report",
        |ctx: NativeCallContext, node: Node, message: &str, help: &str, severity: &str| {
            report(&ctx, Some(&node), message, Some(help), Some(severity))
        },
    );
}

/// `==` and `!=` between a node and a string, integer, float, bool or another node, in both
/// orders, so `node == "root"`, `"root" == node` and `node in ["a", "b"]` all compare the
/// node's value.
fn register_comparisons(engine: &mut Engine) {
    fn is_str(node: &Node, other: &str) -> bool {
        node.as_str() == Some(other)
    }
    fn is_int(node: &Node, other: INT) -> bool {
        matches!(node.value, Value::Int(i) if i == other)
    }
    fn is_float(node: &Node, other: f64) -> bool {
        matches!(node.value, Value::Float(f) if f == other)
            || matches!(node.value, Value::Int(i) if i as f64 == other)
    }
    fn is_bool(node: &Node, other: bool) -> bool {
        matches!(node.value, Value::Bool(b) if b == other)
    }
    engine.register_fn("==", |a: &mut Node, b: &str| is_str(a, b));
    engine.register_fn("!=", |a: &mut Node, b: &str| !is_str(a, b));
    engine.register_fn("==", |a: &str, b: Node| is_str(&b, a));
    engine.register_fn("!=", |a: &str, b: Node| !is_str(&b, a));
    engine.register_fn("==", |a: &mut Node, b: INT| is_int(a, b));
    engine.register_fn("!=", |a: &mut Node, b: INT| !is_int(a, b));
    engine.register_fn("==", |a: INT, b: Node| is_int(&b, a));
    engine.register_fn("!=", |a: INT, b: Node| !is_int(&b, a));
    engine.register_fn("==", |a: &mut Node, b: f64| is_float(a, b));
    engine.register_fn("!=", |a: &mut Node, b: f64| !is_float(a, b));
    engine.register_fn("==", |a: f64, b: Node| is_float(&b, a));
    engine.register_fn("!=", |a: f64, b: Node| !is_float(&b, a));
    engine.register_fn("==", |a: &mut Node, b: bool| is_bool(a, b));
    engine.register_fn("!=", |a: &mut Node, b: bool| !is_bool(a, b));
    engine.register_fn("==", |a: bool, b: Node| is_bool(&b, a));
    engine.register_fn("!=", |a: bool, b: Node| !is_bool(&b, a));
    engine.register_fn("==", |a: &mut Node, b: Node| a.value == b.value);
    engine.register_fn("!=", |a: &mut Node, b: Node| a.value != b.value);
}

impl IntoIterator for Node {
    type Item = Node;
    type IntoIter = std::vec::IntoIter<Node>;

    /// A list iterates its items, a map its values, a scalar nothing.
    fn into_iter(self) -> Self::IntoIter {
        children(&self).collect::<Vec<_>>().into_iter()
    }
}

fn children(node: &Node) -> impl Iterator<Item = Node> + '_ {
    node.items()
        .iter()
        .cloned()
        .chain(node.entries().iter().map(|(_, v)| v.clone()))
}

fn child(node: Option<&Node>) -> Dynamic {
    node.map_or(Dynamic::UNIT, |n| Dynamic::from(n.clone()))
}

/// Negative indexes count from the end, as Rhai's arrays do.
fn list_item(node: &Node, index: INT) -> Option<&Node> {
    let items = node.items();
    let index = if index < 0 {
        items.len() as INT + index
    } else {
        index
    };
    usize::try_from(index).ok().and_then(|i| items.get(i))
}

fn to_dynamic(node: &Node) -> Dynamic {
    match &node.value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => (*f).into(),
        Value::Str(s) => ImmutableString::from(&**s).into(),
        Value::List(items) => {
            Dynamic::from_array(items.iter().cloned().map(Dynamic::from).collect())
        }
        Value::Map(entries) => Dynamic::from_map(
            entries
                .iter()
                .map(|(k, v)| (k.name.as_ref().into(), Dynamic::from(v.clone())))
                .collect(),
        ),
    }
}

/// How a scalar reads in a message: strings as they are, numbers and booleans as written.
fn display(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.to_string(),
        Value::List(_) | Value::Map(_) => node.to_json().to_string(),
    }
}

const TRUE_WORDS: &[&str] = &["true", "yes", "on", "1", "y", "t", "enable", "enabled"];
const FALSE_WORDS: &[&str] = &[
    "false", "no", "off", "0", "n", "f", "disable", "disabled", "",
];

/// A configuration flag that is on: `true`, a non-zero number, or a string like `"1"`, `"yes"`.
fn truthy(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => TRUE_WORDS.contains(&s.trim().to_ascii_lowercase().as_str()),
        _ => false,
    }
}

/// A configuration flag that is explicitly off (absent or unknown values are neither).
fn falsy(node: &Node) -> bool {
    match &node.value {
        Value::Bool(b) => !*b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Null => true,
        Value::Str(s) => FALSE_WORDS.contains(&s.trim().to_ascii_lowercase().as_str()),
        _ => false,
    }
}

/// `x in node`: a key of a map, an item of a list, a substring of a string.
fn contains(node: &mut Node, needle: &str) -> bool {
    match &node.value {
        Value::Map(_) => node.get(needle).is_some(),
        Value::List(items) => items.iter().any(|item| display(item) == needle),
        Value::Str(s) => s.contains(needle),
        _ => false,
    }
}

/// Splits a string node at the first `separator` into two nodes with their own spans:
/// `"DEBUG=1"` → [`DEBUG`, `1`]. `()` when the separator is absent.
fn split_once(ctx: NativeCallContext, node: &mut Node, separator: &str) -> RhaiResult<Dynamic> {
    let Some((left, right)) = node.as_str().and_then(|s| s.split_once(separator)) else {
        return Ok(Dynamic::UNIT);
    };
    let span = node.span;
    // Where the string's text starts in the source (after an opening quote); when the source
    // does not hold the text verbatim (escapes), both halves keep the whole node's span.
    let start = source_of(&ctx, node)?.and_then(|file| {
        let text = node.as_str()?;
        let at = file.slice(&span).find(text)?;
        Some((file, span.start.offset + at))
    });
    let (left_span, right_span) = match start {
        Some((file, start)) => {
            let split = start + left.len();
            (
                file.span(start..split),
                file.span(split + separator.len()..split + separator.len() + right.len()),
            )
        }
        None => (span, span),
    };
    Ok(Dynamic::from_array(vec![
        Dynamic::from(Node::str(left, left_span)),
        Dynamic::from(Node::str(right, right_span)),
    ]))
}

/// `report(node, message, #{ help, severity })`.
pub(super) fn report_with_options(
    ctx: &NativeCallContext,
    node: Option<&Node>,
    message: &str,
    options: &Map,
) -> RhaiResult<()> {
    let text = |key: &str| -> RhaiResult<Option<String>> {
        options
            .get(key)
            .map(|v| {
                v.clone().into_string().map_err(|found| {
                    format!("report option `{key}` must be a string, found {found}").into()
                })
            })
            .transpose()
    };
    if let Some(unknown) = options
        .keys()
        .find(|k| !["help", "severity"].contains(&k.as_str()))
    {
        return Err(
            format!("unknown report option `{unknown}`: expected `help` or `severity`").into(),
        );
    }
    report(
        ctx,
        node,
        message,
        text("help")?.as_deref(),
        text("severity")?.as_deref(),
    )
}

pub(super) fn report(
    ctx: &NativeCallContext,
    node: Option<&Node>,
    message: &str,
    help: Option<&str>,
    severity: Option<&str>,
) -> RhaiResult<()> {
    let call = call_context(ctx)?;
    let severity = match severity {
        Some(s) => s.parse::<Severity>()?,
        None => call.rule.severity,
    };
    let path = node.and_then(|n| call.sources.get(n.span.source).map(|f| f.path.clone()));
    let finding = Finding {
        rule: call.rule.id.clone(),
        severity,
        message: message.to_string(),
        path,
        span: node.map(|n| n.span),
        checklist: call.rule.checklist.clone(),
        help: help.map(str::to_string).or_else(|| call.rule.help.clone()),
    };
    call.findings
        .lock()
        .map_err(|_| "findings lock poisoned")?
        .push(finding);
    Ok(())
}

//! JSON adapter over jsonc-parser: JSON with comments and trailing commas (the JSONC that
//! tsconfig.json, VS Code settings and renovate.json use), otherwise strict JSON.

use jsonc_parser::ast;
use jsonc_parser::common::{Range, Ranged};
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use crate::model::{Key, Node, SourceFile, Span, Value};

use super::{ParseError, Parsed};

/// JSONC as VS Code and TypeScript read it: comments and trailing commas, no JSON5 extras
/// (unquoted keys, single quotes, hex, `Infinity`...), which their consumers would reject.
const OPTIONS: ParseOptions = ParseOptions {
    allow_comments: true,
    allow_trailing_commas: true,
    allow_loose_object_property_names: false,
    allow_missing_commas: false,
    allow_single_quoted_strings: false,
    allow_hexadecimal_numbers: false,
    allow_unary_plus_numbers: false,
    allow_bare_decimal_point_numbers: false,
    allow_non_finite_numbers: false,
    allow_extended_string_escapes: false,
};

const BOM: &str = "\u{feff}";

pub fn parse(file: &SourceFile) -> Parsed {
    // jsonc-parser reads a BOM as an unexpected token: parse after it and shift every range
    // back by its length so offsets stay those of the original text.
    let (base, body) = match file.text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, &*file.text),
    };
    // jsonc-parser recurses and stops past 512 nested ranges (arrays, objects and object
    // properties all count); the tree is built without recursion, so that is the only limit.
    let result = match parse_to_ast(body, &CollectOptions::default(), &OPTIONS) {
        Ok(result) => result,
        Err(err) => return Parsed::failed(syntax_error(file, base, &err)),
    };
    let Some(value) = result.value else {
        // Whitespace or comments only: no consumer of a .json file accepts that, and a Null
        // root would let every rule pass silently on a broken file.
        let end = file.text.len();
        return Parsed::failed(ParseError {
            message: "empty JSON document: expected a value".into(),
            span: file.span(end..end),
        });
    };
    match (Builder { file, base }).build(&value) {
        Ok(root) => {
            let errors = repeated_keys(&root);
            Parsed {
                roots: vec![root],
                errors,
            }
        }
        Err(err) => Parsed::failed(err),
    }
}

/// Keys written twice in one object, in source order.
fn repeated_keys(root: &Node) -> Vec<ParseError> {
    let mut errors = Vec::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        match &node.value {
            Value::Map(entries) => {
                errors.extend(super::repeated_keys(entries.iter().map(|(key, _)| key)));
                pending.extend(entries.iter().map(|(_, value)| value));
            }
            Value::List(items) => pending.extend(items.iter()),
            _ => {}
        }
    }
    errors.sort_by_key(|err| err.span.start.offset);
    errors
}

fn syntax_error(
    file: &SourceFile,
    base: usize,
    err: &jsonc_parser::errors::ParseError,
) -> ParseError {
    let range = err.range();
    let (message, range) = match err.kind() {
        // jsonc-parser spans the whole unclosed container; its opening bracket is the place.
        ParseErrorKind::UnterminatedObject => (
            "unclosed object: expected `}`".to_string(),
            range.start..range.start + 1,
        ),
        ParseErrorKind::UnterminatedArray => (
            "unclosed array: expected `]`".to_string(),
            range.start..range.start + 1,
        ),
        ParseErrorKind::MultipleRootJsonValues => (
            "unexpected text after the JSON value".to_string(),
            range.start..range.end,
        ),
        kind => (lowercase_first(&kind.to_string()), range.start..range.end),
    };
    ParseError {
        message,
        span: file.span(range.start + base..range.end + base),
    }
}

fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct Builder<'f> {
    file: &'f SourceFile,
    /// Length of the BOM skipped before parsing, added back to every range.
    base: usize,
}

enum Visit<'v, 'a> {
    Done(Node),
    Open(Open<'v, 'a>),
}

/// A container whose children are being converted.
enum Open<'v, 'a> {
    List {
        range: Range,
        rest: std::slice::Iter<'v, ast::Value<'a>>,
        items: Vec<Node>,
    },
    Map {
        range: Range,
        rest: std::slice::Iter<'v, ast::ObjectProp<'a>>,
        entries: Vec<(Key, Node)>,
        /// Key of the child being converted.
        key: Option<Key>,
    },
}

impl Builder<'_> {
    fn span(&self, range: Range) -> Span {
        self.file
            .span(range.start + self.base..range.end + self.base)
    }

    /// Converts with an explicit stack of open containers instead of recursion, so a deep
    /// document costs heap, not the thread's stack.
    fn build(&self, root: &ast::Value) -> Result<Node, ParseError> {
        let mut top = match self.visit(root)? {
            Visit::Done(node) => return Ok(node),
            Visit::Open(open) => open,
        };
        let mut parents = Vec::new();
        loop {
            match self.next_child(&mut top) {
                Some(child) => match self.visit(child)? {
                    Visit::Done(node) => attach(&mut top, node),
                    Visit::Open(open) => parents.push(std::mem::replace(&mut top, open)),
                },
                None => {
                    let node = self.close(top);
                    match parents.pop() {
                        Some(parent) => {
                            top = parent;
                            attach(&mut top, node);
                        }
                        None => return Ok(node),
                    }
                }
            }
        }
    }

    /// A scalar's node, or an empty container to fill.
    fn visit<'v, 'a>(&self, value: &'v ast::Value<'a>) -> Result<Visit<'v, 'a>, ParseError> {
        let span = self.span(value.range());
        let value = match value {
            ast::Value::Array(array) => {
                return Ok(Visit::Open(Open::List {
                    range: array.range,
                    rest: array.elements.iter(),
                    items: Vec::new(),
                }));
            }
            ast::Value::Object(object) => {
                return Ok(Visit::Open(Open::Map {
                    range: object.range,
                    rest: object.properties.iter(),
                    entries: Vec::new(),
                    key: None,
                }));
            }
            ast::Value::NullKeyword(_) => Value::Null,
            ast::Value::BooleanLit(b) => Value::Bool(b.value),
            ast::Value::StringLit(s) => Value::Str(s.value.as_ref().into()),
            ast::Value::NumberLit(n) => number(n.value).ok_or_else(|| ParseError {
                message: format!("invalid number `{}`", n.value),
                span,
            })?,
        };
        Ok(Visit::Done(Node::new(value, span)))
    }

    fn next_child<'v, 'a>(&self, open: &mut Open<'v, 'a>) -> Option<&'v ast::Value<'a>> {
        match open {
            Open::List { rest, .. } => rest.next(),
            Open::Map { rest, key, .. } => {
                let prop = rest.next()?;
                *key = Some(Key::new(prop.name.as_str(), self.span(prop.name.range())));
                Some(&prop.value)
            }
        }
    }

    fn close(&self, open: Open) -> Node {
        match open {
            Open::List { range, items, .. } => Node::list(items, self.span(range)),
            Open::Map { range, entries, .. } => Node::map(entries, self.span(range)),
        }
    }
}

fn attach(open: &mut Open, node: Node) {
    match open {
        Open::List { items, .. } => items.push(node),
        Open::Map { entries, key, .. } => {
            if let Some(key) = key.take() {
                entries.push((key, node));
            }
        }
    }
}

/// An integer literal that fits i64 is an Int; anything else (fraction, exponent, or too big)
/// a Float. The exact text stays reachable through the node's span.
fn number(text: &str) -> Option<Value> {
    if !text.contains(['.', 'e', 'E'])
        && let Ok(int) = text.parse::<i64>()
    {
        return Some(Value::Int(int));
    }
    text.parse::<f64>().ok().map(Value::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::parse::testing::line_col;

    fn parse_str(text: &str) -> (SourceFile, Parsed) {
        crate::parse::testing::parse_as(parse, "test.json", text)
    }

    fn parse_ok(text: &str) -> (SourceFile, Node) {
        crate::parse::testing::parse_clean(parse, "test.json", text)
    }

    fn error(text: &str) -> ParseError {
        crate::parse::testing::parse_failure(parse, "test.json", text)
    }

    const SAMPLE: &str = r#"{
  "name": "demo",
  "scripts": {
    "build": "tsc"
  },
  "files": ["dist", "lib"]
}
"#;

    #[test]
    fn keys_values_and_items_have_line_and_column() {
        let (file, root) = parse_ok(SAMPLE);
        let (key, _) = &root.entries()[1];
        assert_eq!(&*key.name, "scripts");
        assert_eq!(line_col(&key.span), (3, 3));
        assert_eq!(file.slice(&key.span), r#""scripts""#);

        let build = root.get_path("scripts.build").unwrap();
        assert_eq!(build.as_str(), Some("tsc"));
        assert_eq!(line_col(&build.span), (4, 14));
        assert_eq!(file.slice(&build.span), r#""tsc""#);

        let lib = root.get_path("files.1").unwrap();
        assert_eq!(lib.as_str(), Some("lib"));
        assert_eq!(line_col(&lib.span), (6, 21));
        assert_eq!(file.slice(&lib.span), r#""lib""#);
    }

    #[test]
    fn containers_span_their_brackets_only() {
        let (file, root) = parse_ok(SAMPLE);
        assert_eq!(file.slice(&root.span), SAMPLE.trim_end());
        let scripts = root.get("scripts").unwrap();
        assert_eq!(file.slice(&scripts.span), "{\n    \"build\": \"tsc\"\n  }");
        let files = root.get("files").unwrap();
        assert_eq!(file.slice(&files.span), r#"["dist", "lib"]"#);
        assert_eq!(line_col(&files.span), (6, 12));
        assert_eq!((files.span.end.line, files.span.end.column), (6, 27));
    }

    #[test]
    fn duplicate_keys_are_kept_in_order_and_reported() {
        let (file, parsed) =
            crate::parse::testing::parse_as(parse, "test.json", r#"{"a": 1, "b": 2, "a": 3}"#);
        let [err] = parsed.errors.as_slice() else {
            panic!("one error expected: {:?}", parsed.errors);
        };
        assert_eq!(line_col(&err.span), (1, 18));
        assert!(
            err.message
                .starts_with("duplicate key `a` (first at line 1)")
        );
        let root = &parsed.roots[0];
        let names: Vec<&str> = root.entries().iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(names, ["a", "b", "a"]);
        assert_eq!(root.entries()[2].0.span.start.column, 18);
        assert_eq!(root.get("a").unwrap().value, Value::Int(3));
        assert_eq!(file.slice(&root.entries()[0].1.span), "1");
    }

    #[test]
    fn comments_and_trailing_commas_are_accepted() {
        let text = "// tsconfig\n{\n  /* block */ \"compilerOptions\": {\"strict\": true,},\n  \"include\": [\"src\",], // why\n}\n";
        let (file, root) = parse_ok(text);
        let strict = root.get_path("compilerOptions.strict").unwrap();
        assert_eq!(strict.value, Value::Bool(true));
        assert_eq!(line_col(&strict.span), (3, 45));
        assert_eq!(root.get_path("include.0").unwrap().as_str(), Some("src"));
        assert_eq!(line_col(&root.span), (2, 1));
        assert!(file.slice(&root.span).ends_with('}'));
    }

    #[test]
    fn numbers_are_typed_and_keep_their_text() {
        let (file, root) =
            parse_ok(r#"{"i": -42, "z": -0, "f": 1.10, "e": 1e3, "big": 9223372036854775808}"#);
        assert_eq!(root.get("i").unwrap().value, Value::Int(-42));
        assert_eq!(root.get("z").unwrap().value, Value::Int(0));
        let f = root.get("f").unwrap();
        assert_eq!(f.value, Value::Float(1.1));
        assert_eq!(file.slice(&f.span), "1.10");
        assert_eq!(root.get("e").unwrap().value, Value::Float(1000.0));
        let big = root.get("big").unwrap();
        assert_eq!(big.value, Value::Float(9223372036854775808.0));
        assert_eq!(file.slice(&big.span), "9223372036854775808");
        let max = root_value("9223372036854775807");
        assert_eq!(max, Value::Int(i64::MAX));
        assert_eq!(root_value("-9223372036854775808"), Value::Int(i64::MIN));
    }

    fn root_value(text: &str) -> Value {
        parse_ok(text).1.value
    }

    #[test]
    fn scalars_at_the_root() {
        assert_eq!(root_value("null"), Value::Null);
        assert_eq!(root_value(" false "), Value::Bool(false));
        assert_eq!(root_value(r#""x""#), Value::Str("x".into()));
    }

    #[test]
    fn strings_are_decoded_and_keys_keep_their_quotes() {
        let (file, root) = parse_ok(r#"{"a\"b": "tab\tnl\nu\u00e9 \ud83d\ude00 \/"}"#);
        let (key, value) = &root.entries()[0];
        assert_eq!(&*key.name, "a\"b");
        assert_eq!(file.slice(&key.span), r#""a\"b""#);
        assert_eq!(value.as_str(), Some("tab\tnl\nu\u{e9} \u{1f600} /"));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (_, root) = parse_ok("{\"é\": \"ü\", \"k\": 1}");
        let (key, value) = &root.entries()[1];
        assert_eq!(key.span.start.column, 12);
        assert_eq!(key.span.start.offset, 13);
        assert_eq!(value.span.start.column, 17);
    }

    #[test]
    fn value_without_a_value_errors_at_the_brace() {
        let err = error(r#"{"a": }"#);
        assert_eq!(line_col(&err.span), (1, 7));
        assert!(err.message.contains("close brace"), "{}", err.message);
    }

    #[test]
    fn unclosed_object_errors_at_its_opening_brace() {
        let err = error("{\n  \"a\": {\n    \"b\": 1\n  }\n");
        assert_eq!(line_col(&err.span), (1, 1));
        assert_eq!(err.span.end.offset, 1);
        assert_eq!(err.message, "unclosed object: expected `}`");
        let err = error("[1, [2]");
        assert_eq!(line_col(&err.span), (1, 1));
        assert_eq!(err.message, "unclosed array: expected `]`");
    }

    #[test]
    fn trailing_garbage_errors_at_the_garbage() {
        let err = error("{\"a\": 1}\n  }");
        assert_eq!(line_col(&err.span), (2, 3));
        assert_eq!(err.message, "unexpected text after the JSON value");
        let err = error("[1] x");
        assert_eq!(line_col(&err.span), (1, 5));
        assert!(error("{} {}").message.contains("after the JSON value"));
    }

    #[test]
    fn json5_extras_are_rejected() {
        assert_eq!(line_col(&error("{a: 1}").span), (1, 2));
        assert_eq!(line_col(&error("['x']").span), (1, 2));
        assert_eq!(line_col(&error("[0x1F]").span), (1, 2));
        assert_eq!(line_col(&error("[1, NaN]").span), (1, 5));
        assert_eq!(line_col(&error("{\"a\": 1 \"b\": 2}").span), (1, 8));
        assert!(error("{\"a\": 1 \"b\": 2}").message.contains("comma"));
    }

    #[test]
    fn broken_strings_and_comments_error_where_they_break() {
        let err = error("{\n  \"a\": \"open\n}");
        assert_eq!(err.span.start.line, 2);
        assert!(
            err.message.contains("unterminated string"),
            "{}",
            err.message
        );
        let err = error("[\"\\q\"]");
        assert_eq!(line_col(&err.span), (1, 3));
        let err = error("[1] /* never closed");
        assert_eq!(line_col(&err.span), (1, 5));
        assert_eq!(err.message, "unterminated comment block");
    }

    #[test]
    fn empty_document_is_an_error() {
        for text in ["", "  \n", "// only a comment\n"] {
            let err = error(text);
            assert_eq!(err.message, "empty JSON document: expected a value");
            assert_eq!(err.span.start.offset, text.len());
        }
    }

    #[test]
    fn byte_order_mark_is_skipped_but_offsets_stay_original() {
        let (file, root) = parse_ok("\u{feff}{\"a\": [1]}");
        assert_eq!(root.span.start.offset, 3);
        assert_eq!(line_col(&root.span), (1, 2));
        let (key, _) = &root.entries()[0];
        assert_eq!(file.slice(&key.span), "\"a\"");
        assert_eq!(line_col(&key.span), (1, 3));
        let err = error("\u{feff}{\"a\": }");
        assert_eq!(err.span.start.offset, 9);
        assert_eq!(line_col(&err.span), (1, 8));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for open in ["[", "{\"a\":"] {
            let text = open.repeat(100_000);
            let err = error(&text);
            assert!(err.message.contains("nesting depth"), "{}", err.message);
        }
        let ok = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let (_, mut node) = parse_ok(&ok);
        for _ in 0..199 {
            node = node.items()[0].clone();
        }
        assert_eq!(node.items().len(), 0);
        assert_eq!(node.span.start.column, 200);
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for text in [
            "\u{feff}",
            "\"",
            "\"\\u",
            "\"\\ud800\"",
            "[\"é",
            "{\"é\"",
            "-",
            "1e",
            "{,}",
            "[,]",
            "é",
            "\u{2028}[]",
            "/",
            "{\"a\":1,,}",
            "nul",
            "[1,]]",
        ] {
            let (_, parsed) = parse_str(text);
            assert_eq!(parsed.roots.len() + parsed.errors.len(), 1, "{text:?}");
        }
    }
}

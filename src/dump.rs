//! `preflight parse`: a document model as policy authors read it, in YAML or JSON, with each
//! node's position on request.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::model::{Document, Node, SourceMap, Span, Value};

/// How to show positions: each node's range, prefixed by its file when it lies in another
/// file than the document (a Django setting inherited from base.py).
#[derive(Clone, Copy)]
pub struct Positions<'a> {
    pub sources: &'a SourceMap,
    pub document: crate::model::SourceId,
}

/// A document as YAML: a header comment naming it, then the tree. Strings are always quoted,
/// so `"1.10"` (a string) and `1.1` (a number) read differently, as they do to a policy.
/// With `spans`, each node's `line:column` range follows as a comment.
pub fn yaml(doc: &Document, spans: Option<Positions>) -> String {
    let mut out = format!(
        "# {} ({}, {}, document {})\n",
        doc.path,
        doc.format,
        doc.kind,
        doc.index + 1
    );
    if is_container(&doc.root) && !is_empty(&doc.root) {
        if let Some(at) = spans {
            let _ = writeln!(out, "# root {}", range(&doc.root.span, at));
        }
        block(&mut out, &doc.root, 0, spans);
    } else {
        let _ = writeln!(out, "{}{}", inline(&doc.root), comment(&doc.root, spans));
    }
    out
}

/// A document as JSON: `{path, format, kind, index, root}`; with `spans`, every node becomes
/// `{"span": "line:col-line:col", "value": …}`.
pub fn json(doc: &Document, spans: Option<Positions>) -> Json {
    json!({
        "path": doc.path,
        "format": doc.format.as_str(),
        "kind": doc.kind.as_str(),
        "index": doc.index,
        "root": match spans {
            Some(at) => with_spans(&doc.root, at),
            None => doc.root.to_json(),
        },
    })
}

fn with_spans(node: &Node, at: Positions) -> Json {
    let value = match &node.value {
        Value::List(items) => Json::Array(items.iter().map(|n| with_spans(n, at)).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.to_string(), with_spans(v, at)))
                .collect(),
        ),
        _ => node.to_json(),
    };
    json!({ "span": range(&node.span, at), "value": value })
}

fn range(span: &Span, at: Positions) -> String {
    let file = if span.source == at.document {
        String::new()
    } else {
        at.sources
            .get(span.source)
            .map_or_else(String::new, |f| format!("{} ", f.path))
    };
    format!(
        "{file}{}:{}-{}:{}",
        span.start.line, span.start.column, span.end.line, span.end.column
    )
}

fn comment(node: &Node, spans: Option<Positions>) -> String {
    match spans {
        Some(at) => format!("  # {}", range(&node.span, at)),
        None => String::new(),
    }
}

fn is_container(node: &Node) -> bool {
    matches!(node.value, Value::List(_) | Value::Map(_))
}

fn is_empty(node: &Node) -> bool {
    node.items().is_empty() && node.entries().is_empty()
}

/// Writes a non-empty map or list at `indent`, one entry per line.
fn block(out: &mut String, node: &Node, indent: usize, spans: Option<Positions>) {
    let pad = " ".repeat(indent);
    map_entries(out, node, &pad, &pad, spans);
    for item in node.items() {
        if item.entries().is_empty() {
            entry(out, &format!("{pad}-"), item, indent + 2, spans);
        } else {
            // `- key: value` with the map's other keys aligned under the first.
            if spans.is_some() {
                let _ = writeln!(out, "{pad}-{}", comment(item, spans));
                map_entries(out, item, &format!("{pad}  "), &format!("{pad}  "), spans);
            } else {
                map_entries(out, item, &format!("{pad}- "), &format!("{pad}  "), spans);
            }
        }
    }
}

/// A map's entries: the first line led by `first`, the others by `rest`.
fn map_entries(out: &mut String, node: &Node, first: &str, rest: &str, spans: Option<Positions>) {
    for (i, (key, value)) in node.entries().iter().enumerate() {
        let lead = if i == 0 { first } else { rest };
        entry(
            out,
            &format!("{lead}{}:", yaml_key(&key.name)),
            value,
            rest.len() + 2,
            spans,
        );
    }
}

/// One `key:` or `-` line and, for a non-empty container, its nested block.
fn entry(out: &mut String, lead: &str, value: &Node, indent: usize, spans: Option<Positions>) {
    if is_container(value) && !is_empty(value) {
        let _ = writeln!(out, "{lead}{}", comment(value, spans));
        block(out, value, indent, spans);
    } else {
        let _ = writeln!(out, "{lead} {}{}", inline(value), comment(value, spans));
    }
}

/// A scalar or an empty container on one line.
fn inline(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) if f.is_nan() => ".nan".into(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { ".inf" } else { "-.inf" }.into(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => Json::String(s.to_string()).to_string(),
        Value::List(_) => "[]".into(),
        Value::Map(_) => "{}".into(),
    }
}

/// Keys print bare when YAML would read them back as the same string.
fn yaml_key(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && !matches!(
            name.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain {
        name.to_string()
    } else {
        Json::String(name.to_string()).to_string()
    }
}

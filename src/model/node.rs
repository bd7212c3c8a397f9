//! The unified tree every format parses into.

use std::sync::Arc;

use super::span::Span;

/// A value with the span of the source text it came from.
///
/// Cloning is cheap: strings, lists and maps are shared behind `Arc`s, so the policy engine
/// hands nodes to scripts without copying the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    List(Arc<[Node]>),
    /// Ordered; duplicated keys are kept so a rule can flag them.
    Map(Arc<[(Key, Node)]>),
}

/// A map key with its own span (a finding about a key points at the key).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: Arc<str>,
    pub span: Span,
}

impl Key {
    pub fn new(name: impl Into<Arc<str>>, span: Span) -> Self {
        Key {
            name: name.into(),
            span,
        }
    }
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    pub fn null(span: Span) -> Self {
        Node::new(Value::Null, span)
    }

    pub fn str(s: impl Into<Arc<str>>, span: Span) -> Self {
        Node::new(Value::Str(s.into()), span)
    }

    pub fn list(items: Vec<Node>, span: Span) -> Self {
        Node::new(Value::List(items.into()), span)
    }

    pub fn map(entries: Vec<(Key, Node)>, span: Span) -> Self {
        Node::new(Value::Map(entries.into()), span)
    }

    /// The value of the last entry named `key` (later entries win, as in most formats).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| &*k.name == key)
                .map(|(_, v)| v),
            Value::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
    }

    /// Follows a dotted path: `spec.template.spec.containers.0.image`.
    pub fn get_path(&self, path: &str) -> Option<&Node> {
        path.split('.')
            .filter(|p| !p.is_empty())
            .try_fold(self, |node, part| node.get(part))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// Name of the value's type as policies see it.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "map",
        }
    }

    /// A plain JSON view (spans dropped), for `preflight parse` and tests.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.to_string()),
            Value::List(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

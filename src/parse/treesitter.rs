//! What the tree-sitter adapters (settings.py, next.config.js) share: a node's text, span and
//! `$expr` form, and syntax errors as diagnostics (both grammars recover the same way).

use tree_sitter::Node as Ts;

use super::ParseError;
use crate::model::{Key, Node, SourceFile, Span};

/// The source text of a node.
pub fn text<'a>(file: &'a SourceFile, node: Ts) -> &'a str {
    file.text.get(node.byte_range()).unwrap_or("")
}

pub fn span(file: &SourceFile, node: Ts) -> Span {
    file.span(node.byte_range())
}

/// `{"$expr": "<source>"}` for a value that is not statically known.
pub fn opaque(file: &SourceFile, node: Ts) -> Node {
    let span = span(file, node);
    let text = Node::str(text(file, node), span);
    Node::map(vec![(Key::new("$expr", span), text)], span)
}

/// More than this many errors in one file are summed up in one last diagnostic.
const MAX_ERRORS: usize = 100;

/// Every ERROR and MISSING node under `root` as a diagnostic naming `language`.
pub fn report(root: Ts, file: &SourceFile, language: &str, errors: &mut Vec<ParseError>) {
    let mut count = 0;
    each_error(root, |node| {
        count += 1;
        if count > MAX_ERRORS {
            errors.push(ParseError {
                message: format!(
                    "more syntax errors follow; only the first {MAX_ERRORS} are reported"
                ),
                span: file.span(node.byte_range()),
            });
            return false;
        }
        let message = if node.is_missing() {
            let kind = node.kind();
            if node.is_named() {
                format!("missing {}", kind.replace('_', " ").trim())
            } else {
                format!("missing `{kind}`")
            }
        } else {
            let text = file.text.get(node.byte_range()).unwrap_or("");
            let near: String = text
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(30)
                .collect();
            if near.is_empty() {
                format!("invalid {language} syntax")
            } else {
                format!("invalid {language} syntax near `{near}`")
            }
        };
        errors.push(ParseError {
            message,
            span: file.span(node.byte_range()),
        });
        true
    });
}

/// Visits ERROR and MISSING nodes in document order (not those inside an ERROR, except a root
/// ERROR, which holds the whole file) until `visit` returns false; iterative, so deep trees
/// are fine.
pub fn each_error<'t>(root: Ts<'t>, mut visit: impl FnMut(Ts<'t>) -> bool) {
    if !root.has_error() {
        return;
    }
    let mut found = false;
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        let whole_file = node == root && node.child_count() > 0;
        let descend = if (node.is_error() && !whole_file) || node.is_missing() {
            found = true;
            if !visit(node) {
                return;
            }
            false
        } else {
            node.has_error()
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    // A root ERROR may hold only misplaced tokens, with no smaller error to point at.
    if !found {
        visit(root);
    }
}

//! What must hold of any tree a parser builds, whatever the input: shared by the property
//! tests (tests/properties.rs) and the fuzz targets (fuzz/), which include this file.

// Each includer uses part of it.
#![allow(dead_code)]

use preflight::model::{Node, SourceFile, Span, Value};

/// Every span of `root` that points into `file` lies inside it, on character boundaries, with
/// the line and column its offset has: the panics this rules out would otherwise come when a
/// finding is rendered, far from the parser that made the span.
pub fn check_spans(file: &SourceFile, root: &Node) -> Result<(), String> {
    let mut pending = vec![root];
    // Aliases share subtrees: bound the walk, not the tree.
    let mut budget = 2_000_000usize;
    while let Some(node) = pending.pop() {
        budget = budget
            .checked_sub(1)
            .ok_or("tree larger than any input makes")?;
        check_span(file, &node.span, "node")?;
        match &node.value {
            Value::List(items) => pending.extend(items.iter()),
            Value::Map(entries) => {
                for (key, value) in entries.iter() {
                    check_span(file, &key.span, &format!("key `{}`", key.name))?;
                    pending.push(value);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn check_span(file: &SourceFile, span: &Span, what: &str) -> Result<(), String> {
    if span.source != file.id {
        return Ok(());
    }
    let (start, end) = (span.start.offset, span.end.offset);
    let text = &file.text;
    if start > end || end > text.len() {
        return Err(format!(
            "{what}: span {start}..{end} outside the {} bytes",
            text.len()
        ));
    }
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return Err(format!("{what}: span {start}..{end} splits a character"));
    }
    for (pos, name) in [(span.start, "start"), (span.end, "end")] {
        let expected = file.pos(pos.offset);
        if (expected.line, expected.column) != (pos.line, pos.column) {
            return Err(format!(
                "{what}: {name} offset {} is {}:{}, but the span says {}:{}",
                pos.offset, expected.line, expected.column, pos.line, pos.column
            ));
        }
    }
    Ok(())
}

//! Positions between preflight and the editor.
//!
//! A [`Span`] holds byte offsets (and columns in characters); LSP positions count UTF-16 code
//! units from the start of the line. On a line with `🚀` before a value, the value's byte,
//! character and UTF-16 columns all differ: everything goes through byte offsets here.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

use crate::model::{SourceFile, Span};

/// The editor range of a span in `file`.
pub fn range(file: &SourceFile, span: &Span) -> Range {
    Range {
        start: position(file, span.start.offset),
        end: position(file, span.end.offset.max(span.start.offset)),
    }
}

/// The editor position of a byte offset (clamped to the text, snapped to a character start).
pub fn position(file: &SourceFile, offset: usize) -> Position {
    let pos = file.pos(offset);
    let start = file.line_start(pos.line);
    let before = file.text.get(start..pos.offset).unwrap_or("");
    let character = if before.is_ascii() {
        before.len()
    } else {
        before.encode_utf16().count()
    };
    Position {
        line: pos.line - 1,
        character: character as u32,
    }
}

/// Whether `position` lies in `range` (its end included, so a cursor just after a flagged
/// word still counts).
pub fn contains(range: &Range, position: Position) -> bool {
    range.start <= position && position <= range.end
}

/// The local path of a `file:` URI, with percent-escapes decoded.
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` names another machine; only local files are checked.
    let path = rest.get(rest.find('/')?..)?;
    let decoded = percent_decode(path)?;
    // `/C:/work` is `C:/work` on Windows.
    let bytes = decoded.as_bytes();
    let drive = bytes.len() >= 3 && bytes[2] == b':' && bytes[1].is_ascii_alphabetic();
    Some(PathBuf::from(if drive && cfg!(windows) {
        &decoded[1..]
    } else {
        &decoded[..]
    }))
}

/// The `file:` URI of a local path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;

    fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn columns_count_utf16_units_after_non_ascii_text() {
        // `🚀` is 4 bytes, 1 character and 2 UTF-16 units; `é` is 2 bytes, 1 unit: `root`
        // starts at byte 14 of its line, character 10 and UTF-16 unit 11 (0-based).
        let text = "a: 1\nx: \"🚀é\" # root\n";
        let file = SourceFile::new(SourceId(0), "f.yaml", text);
        let root = text.find("root").unwrap();
        let span = file.span(root..root + 4);
        assert_eq!((root, span.start.column), (19, 11), "bytes, characters");
        assert_eq!(
            range(&file, &span),
            Range {
                start: at(1, 11),
                end: at(1, 15)
            },
            "UTF-16 units"
        );
        assert_eq!(position(&file, 3), at(0, 3), "an ASCII line");
    }

    #[test]
    fn file_uris_decode_and_encode() {
        let uri = Uri::from_str("file:///home/me/my%20app/Dockerfile").unwrap();
        let path = path_of(&uri).unwrap();
        assert_eq!(path, PathBuf::from("/home/me/my app/Dockerfile"));
        assert_eq!(uri_of(&path).unwrap().as_str(), uri.as_str());
        let other = Uri::from_str("https://example.com/x").unwrap();
        assert_eq!(path_of(&other), None);
    }
}

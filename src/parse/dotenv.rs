//! `.env` adapter.
//!
//! A line lexer for the dotenv syntax docker compose and python-dotenv read: `#` comments,
//! an optional `export` prefix, `KEY=value` with an unquoted, single- or double-quoted value
//! (quoted values may span lines) and bare `KEY` lines. Values are kept as written: `${VAR}`
//! is not expanded. A bad line is reported and skipped; the rest of the file is still read.

use std::ops::Range;

use super::{ParseError, Parsed, shown, sub};
use crate::model::{Key, Node, SourceFile};

/// Whitespace inside a line (python-dotenv's `[^\S\r\n]`).
const BLANK: [char; 5] = [' ', '\t', '\r', '\x0b', '\x0c'];

pub fn parse(file: &SourceFile) -> Parsed {
    let text: &str = &file.text;
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lexer = Lexer {
        file,
        text,
        entries: Vec::new(),
        errors: Vec::new(),
    };
    let mut pos = start;
    while pos < text.len() {
        pos = lexer.line(pos);
    }
    let span = match (lexer.entries.first(), lexer.entries.last()) {
        (Some((first, _)), Some((_, last))) => first.span.to(&last.span),
        _ => file.span(start..start),
    };
    Parsed {
        roots: vec![Node::map(lexer.entries, span)],
        errors: lexer.errors,
    }
}

struct Lexer<'a> {
    file: &'a SourceFile,
    text: &'a str,
    entries: Vec<(Key, Node)>,
    errors: Vec<ParseError>,
}

impl Lexer<'_> {
    /// Reads the statement starting on the line at `start`; returns where the next line starts.
    fn line(&mut self, start: usize) -> usize {
        let end = line_end(self.text, start);
        let line = sub(self.text, start..end);
        let from = end - line.trim_start_matches(BLANK).len();
        let to = start + line.trim_end_matches(BLANK).len();
        let body = sub(self.text, from..to);
        if body.is_empty() || body.starts_with('#') {
            return end + 1;
        }
        let key_start = match body.strip_prefix("export") {
            Some(rest) if rest.starts_with(BLANK) => to - rest.trim_start_matches(BLANK).len(),
            _ => from,
        };
        let rest = sub(self.text, key_start..to);
        let key_end = key_start
            + rest
                .find(|c| c == '=' || BLANK.contains(&c))
                .unwrap_or(rest.len());
        let name = sub(self.text, key_start..key_end);
        let after = sub(self.text, key_end..to).trim_start_matches(BLANK);
        let problem = if name.is_empty() {
            Some("missing variable name before `=`".to_string())
        } else if !valid_name(name) {
            Some(format!(
                "invalid variable name {}: a name starts with a letter or `_` and holds only \
                 letters, digits, `_`, `.` and `-`",
                shown(name)
            ))
        } else if !(after.is_empty() || after.starts_with(['=', '#'])) {
            Some(format!(
                "expected `=` after {}, found {}",
                shown(name),
                shown(after)
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            self.error(message, from..to);
            return end + 1;
        }
        let key = Key::new(name, self.file.span(key_start..key_end));
        let Some(value) = after.strip_prefix('=') else {
            // A bare `KEY` (compose takes it from the environment): null, pointing at the key.
            let span = key.span;
            self.entries.push((key, Node::null(span)));
            return end + 1;
        };
        let raw = value.trim_start_matches(BLANK);
        let v = to - raw.len();
        if let Some(quote @ ('"' | '\'')) = raw.chars().next() {
            return self.quoted(key, v, quote, end);
        }
        // An inline comment needs whitespace before its `#`.
        let cut = raw
            .char_indices()
            .find(|&(i, c)| c == '#' && sub(raw, 0..i).ends_with(BLANK))
            .map_or(raw.len(), |(i, _)| i);
        let value = sub(raw, 0..cut).trim_end_matches(BLANK);
        let span = self.file.span(v..v + value.len());
        self.entries.push((key, Node::str(value, span)));
        end + 1
    }

    /// A quoted value opening at `open` on a line ending at `end`; returns where the next
    /// statement's line starts.
    fn quoted(&mut self, key: Key, open: usize, quote: char, end: usize) -> usize {
        let Some(close) = closing(self.text, open, quote) else {
            let name = if quote == '"' { "double" } else { "single" };
            self.error(
                format!("unterminated {name}-quoted value: no closing `{quote}`"),
                open..open + 1,
            );
            return end + 1;
        };
        let raw = sub(self.text, open + 1..close);
        let value = unescape(raw, quote);
        let span = self.file.span(open..close + 1);
        self.entries.push((key, Node::str(value, span)));
        let close_end = line_end(self.text, close);
        let tail = sub(self.text, close + 1..close_end).trim_end_matches(BLANK);
        let trimmed = tail.trim_start_matches(BLANK);
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            let from = close + 1 + tail.len() - trimmed.len();
            self.error(
                format!("unexpected {} after the closing quote", shown(trimmed)),
                from..close + 1 + tail.len(),
            );
        }
        close_end + 1
    }

    fn error(&mut self, message: String, range: Range<usize>) {
        let span = self.file.span(range);
        self.errors.push(ParseError { message, span });
    }
}

/// The offset of the quote closing the one at `open`, skipping backslash escapes.
///
/// The scan stays linear over the file: an opening quote follows `=` or a blank, never a
/// backslash, so a scan that finds no closing quote has passed no other opening quote.
fn closing(text: &str, open: usize, quote: char) -> Option<usize> {
    // Byte scanning is safe: `\` and quotes are ASCII and never part of a UTF-8 sequence.
    let bytes = text.as_bytes();
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            i += 2;
        } else if char::from(b) == quote {
            return Some(i);
        } else {
            i += 1;
        }
    }
    None
}

/// Decodes a quoted value: `\n`, `\t`, `\r`, `\"` and `\\` in double quotes, only `\'` in
/// single quotes; other backslashes are kept. Line breaks inside become `\n`.
fn unescape(raw: &str, quote: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.as_str().starts_with('\n') => {}
            '\\' => match (quote, chars.next()) {
                ('"', Some('n')) => out.push('\n'),
                ('"', Some('t')) => out.push('\t'),
                ('"', Some('r')) => out.push('\r'),
                ('"', Some(e @ ('"' | '\\'))) | ('\'', Some(e @ '\'')) => out.push(e),
                (_, e) => {
                    out.push('\\');
                    out.extend(e);
                }
            },
            c => out.push(c),
        }
    }
    out
}

/// A portable variable name: a letter or `_`, then letters, digits, `_`, `.` or `-`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Where the line holding `at` ends (its `\n`, or the end of the text).
fn line_end(text: &str, at: usize) -> usize {
    sub(text, at..text.len())
        .find('\n')
        .map_or(text.len(), |i| at + i)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{line_col, parse_as, parse_clean};
    use super::*;
    use crate::model::Value;

    fn clean(text: &str) -> (SourceFile, Node) {
        parse_clean(parse, ".env", text)
    }

    fn value<'n>(root: &'n Node, key: &str) -> &'n str {
        root.get(key)
            .and_then(Node::as_str)
            .unwrap_or_else(|| panic!("no string {key}"))
    }

    fn keys(root: &Node) -> Vec<&str> {
        root.entries().iter().map(|(k, _)| &*k.name).collect()
    }

    #[test]
    fn keys_and_values_keep_their_positions() {
        let (file, root) = clean("# top\n\nA=1\n  export B = two words  # note\nC=\n");
        assert_eq!(keys(&root), ["A", "B", "C"]);
        let (b_key, b) = &root.entries()[1];
        assert_eq!(line_col(&b_key.span), (4, 10));
        assert_eq!(file.slice(&b_key.span), "B");
        assert_eq!(line_col(&b.span), (4, 14));
        assert_eq!(file.slice(&b.span), "two words");
        assert_eq!(value(&root, "B"), "two words");
        let c = root.get("C").unwrap();
        assert_eq!(value(&root, "C"), "");
        assert_eq!(c.span.start, c.span.end);
        assert_eq!(line_col(&c.span), (5, 3));
        assert_eq!(
            file.slice(&root.span),
            "A=1\n  export B = two words  # note\nC="
        );
    }

    #[test]
    fn inline_comments_need_whitespace_before_the_hash() {
        let (_, root) = clean("A=a#b\nB=a #b\nC=\t#x\nD=a\t# c # d\nE=url#frag  \n");
        assert_eq!(value(&root, "A"), "a#b");
        assert_eq!(value(&root, "B"), "a");
        // As in compose and python-dotenv: spaces after `=` are skipped before the value.
        assert_eq!(value(&root, "C"), "#x");
        assert_eq!(value(&root, "D"), "a");
        assert_eq!(value(&root, "E"), "url#frag");
    }

    #[test]
    fn bare_key_is_null_at_the_key() {
        let (file, root) = clean("export TOKEN\nOTHER # from the environment\n");
        let token = root.get("TOKEN").unwrap();
        assert_eq!(token.value, Value::Null);
        assert_eq!(file.slice(&token.span), "TOKEN");
        assert_eq!(line_col(&token.span), (1, 8));
        assert_eq!(root.get("OTHER").unwrap().value, Value::Null);
    }

    #[test]
    fn export_alone_or_as_a_name_is_a_key() {
        let (_, root) = clean("export\nexport=1\nexporter=2\n");
        assert_eq!(keys(&root), ["export", "export", "exporter"]);
        assert_eq!(root.get("export").unwrap().as_str(), Some("1"));
    }

    #[test]
    fn single_quotes_are_literal() {
        let (file, root) = clean("A='x # y $HOME \\n'\nB='it\\'s' # c\n");
        assert_eq!(value(&root, "A"), "x # y $HOME \\n");
        assert_eq!(
            file.slice(&root.get("A").unwrap().span),
            "'x # y $HOME \\n'"
        );
        assert_eq!(value(&root, "B"), "it's");
    }

    #[test]
    fn double_quotes_decode_escapes() {
        let (file, root) = clean(r#"A="a\nb\tc\"d\\e\$f\x" # c"#);
        assert_eq!(value(&root, "A"), "a\nb\tc\"d\\e\\$f\\x");
        let a = root.get("A").unwrap();
        assert_eq!(line_col(&a.span), (1, 3));
        assert_eq!(file.slice(&a.span), r#""a\nb\tc\"d\\e\$f\x""#);
    }

    #[test]
    fn quoted_values_span_lines() {
        let text = "A=1\nKEY=\"-----BEGIN\r\nline2\r\n-----END\"\r\nB='x\ny'\nC=3\n";
        let (file, root) = clean(text);
        assert_eq!(keys(&root), ["A", "KEY", "B", "C"]);
        let key = root.get("KEY").unwrap();
        assert_eq!(value(&root, "KEY"), "-----BEGIN\nline2\n-----END");
        assert_eq!(line_col(&key.span), (2, 5));
        assert_eq!((key.span.end.line, key.span.end.column), (4, 10));
        assert!(file.slice(&key.span).ends_with("END\""));
        assert_eq!(value(&root, "B"), "x\ny");
        assert_eq!(line_col(&root.get("C").unwrap().span), (7, 3));
    }

    #[test]
    fn interpolation_is_kept_as_written() {
        let (_, root) = clean("A=${HOME}/x\nB=\"$USER:${X:-d}\"\n");
        assert_eq!(value(&root, "A"), "${HOME}/x");
        assert_eq!(value(&root, "B"), "$USER:${X:-d}");
    }

    #[test]
    fn duplicates_are_kept_and_the_last_wins() {
        let (_, root) = clean("A=1\nA=2\n");
        assert_eq!(root.entries().len(), 2);
        assert_eq!(value(&root, "A"), "2");
    }

    #[test]
    fn crlf_and_byte_order_mark() {
        let (file, root) = clean("\u{feff}A=1\r\nB = 'two'\r\n\r\nC\r\n");
        assert_eq!(value(&root, "A"), "1");
        assert_eq!(line_col(&root.get("A").unwrap().span), (1, 4));
        assert_eq!(file.slice(&root.get("B").unwrap().span), "'two'");
        assert_eq!(root.get("C").unwrap().value, Value::Null);
        assert_eq!(file.slice(&root.span), "A=1\r\nB = 'two'\r\n\r\nC");
    }

    #[test]
    fn columns_count_characters() {
        let (_, root) = clean("N=é x # c\nM='ü' # d\n");
        assert_eq!(root.get("N").unwrap().span.end.column, 6);
        assert_eq!(root.get("M").unwrap().span.end.column, 6);
        let (file, parsed) = parse_as(parse, ".env", "É=1\nA='é' B\nX=\"ü\n");
        // `É` is not a portable name: reported, not kept.
        assert_eq!(parsed.roots[0].entries().len(), 1);
        let places: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (line_col(&e.span), file.slice(&e.span)))
            .collect();
        assert_eq!(places, [((1, 1), "É=1"), ((2, 7), "B"), ((3, 3), "\"")]);
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let text = "1ABC=x\nA B=c\nGOOD=1\n=v\nnot a key\nA.B-c=ok\n";
        let (file, parsed) = parse_as(parse, ".env", text);
        let root = &parsed.roots[0];
        assert_eq!(keys(root), ["GOOD", "A.B-c"]);
        let places: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (line_col(&e.span), file.slice(&e.span)))
            .collect();
        assert_eq!(
            places,
            [
                ((1, 1), "1ABC=x"),
                ((2, 1), "A B=c"),
                ((4, 1), "=v"),
                ((5, 1), "not a key")
            ]
        );
        assert!(parsed.errors[0].message.contains("`1ABC`"));
        assert_eq!(
            parsed.errors[1].message,
            "expected `=` after `A`, found `B=c`"
        );
    }

    #[test]
    fn unterminated_quote_is_reported_and_the_next_line_read() {
        let (file, parsed) = parse_as(parse, ".env", "A=1\nB=\"open\nC=2\nD='x\n");
        let root = &parsed.roots[0];
        assert_eq!(keys(root), ["A", "C"]);
        assert_eq!(parsed.errors.len(), 2);
        let e = &parsed.errors[0];
        assert_eq!((line_col(&e.span), file.slice(&e.span)), ((2, 3), "\""));
        assert!(e.message.contains("unterminated double-quoted"));
        assert_eq!(line_col(&parsed.errors[1].span), (4, 3));
    }

    #[test]
    fn text_after_a_closing_quote_is_reported_and_the_value_kept() {
        let (file, parsed) = parse_as(parse, ".env", "A=\"x\" y \nB=2\n");
        assert_eq!(value(&parsed.roots[0], "A"), "x");
        assert_eq!(value(&parsed.roots[0], "B"), "2");
        let e = &parsed.errors[0];
        assert_eq!((line_col(&e.span), file.slice(&e.span)), ((1, 7), "y"));
    }

    #[test]
    fn empty_and_comment_only_files_are_empty_maps() {
        for text in ["", "\n\n", "# only\n  # comments", "\u{feff}"] {
            let (_, root) = clean(text);
            assert_eq!(root.entries().len(), 0);
            assert_eq!(root.span.start, root.span.end);
        }
    }

    #[test]
    fn hostile_input_does_not_panic_or_stall() {
        let long = format!("A={}\n", "x".repeat(1 << 20));
        let (_, root) = clean(&long);
        assert_eq!(value(&root, "A").len(), 1 << 20);
        // A quote that never closes is scanned to the end once, then lexing goes on.
        let open = format!("A='\n{}", "B=\"\\\"\"\n".repeat(100_000));
        let (_, parsed) = parse_as(parse, ".env", &open);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.roots[0].entries().len(), 100_000);
        // Quotes that pair up across lines make multi-line values.
        let (_, root) = clean(&"A=\"\n".repeat(100_000));
        assert_eq!(root.entries().len(), 50_000);
        for text in [
            "\0=\0\n",
            "A=\"\\",
            "A='\\",
            "\\",
            "=",
            "export ",
            "A=\"x\"\\\n",
            "ü=\"é",
            "\r\r\n\r",
        ] {
            let (_, parsed) = parse_as(parse, ".env", text);
            assert_eq!(parsed.roots.len(), 1, "{text:?}");
        }
    }
}

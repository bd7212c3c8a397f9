//! PostgreSQL configuration adapters: `postgresql.conf` settings ([`parse`]) and `pg_hba.conf`
//! client authentication records ([`parse_hba`]).
//!
//! Both are line lexers that follow PostgreSQL's own (guc-file.l and hba.c). Values are kept
//! as written, never coerced: `on`, `100` and `128MB` are strings. A bad line is reported and
//! skipped; the rest of the file is still read.

use std::ops::Range;

use super::{ParseError, Parsed, shown, sub};
use crate::model::{Key, Node, Pos, SourceFile, Span};

/// Whitespace inside a line, as PostgreSQL reads it.
const BLANK: [char; 3] = [' ', '\t', '\r'];

/// Connection types a `pg_hba.conf` record may start with.
const HBA_TYPES: [&str; 6] = [
    "local",
    "host",
    "hostssl",
    "hostnossl",
    "hostgssenc",
    "hostnogssenc",
];
const INCLUDES: [&str; 3] = ["include", "include_if_exists", "include_dir"];

/// Parses `postgresql.conf` (also `postgresql.auto.conf` and `conf.d/*.conf`) into a map of
/// lowercased setting name → value string. `include*` directives are entries too.
pub fn parse(file: &SourceFile) -> Parsed {
    let text: &str = &file.text;
    let bom = bom_len(text);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for line in lines(text, bom) {
        match setting(file, line) {
            Ok(None) => {}
            Ok(Some((entry, error))) => {
                entries.push(entry);
                errors.extend(error);
            }
            Err(error) => errors.push(error),
        }
    }
    let span = match (entries.first(), entries.last()) {
        (Some((first, _)), Some((_, last))) => first.span.to(&last.span),
        _ => file.span(bom..bom),
    };
    Parsed {
        roots: vec![Node::map(entries, span)],
        errors,
    }
}

/// A setting and a complaint about what follows its value, or `None` for a blank or comment
/// line, or the error that voids the line.
type Setting = Result<Option<((Key, Node), Option<ParseError>)>, ParseError>;

fn setting(file: &SourceFile, line: Range<usize>) -> Setting {
    let text: &str = &file.text;
    let raw = sub(text, line.clone());
    let from = line.end - raw.trim_start_matches(BLANK).len();
    let to = line.start + raw.trim_end_matches(BLANK).len();
    let body = sub(text, from..to);
    let error = |message: String, range: Range<usize>| ParseError {
        message,
        span: file.span(range),
    };
    if body.is_empty() || body.starts_with('#') {
        return Ok(None);
    }
    let name_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.') || !c.is_ascii()))
        .unwrap_or(body.len());
    let name = sub(body, 0..name_len);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii()) {
        let found = shown(body.split(BLANK).next().unwrap_or(body));
        return Err(error(
            format!("expected a setting name, found {found}"),
            from..to,
        ));
    }
    let name_span = file.span(from..from + name_len);
    let rest = sub(body, name_len..body.len()).trim_start_matches(BLANK);
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    let value_text = rest.trim_start_matches(BLANK);
    let v = to - value_text.len();
    let (value, len) = match value_text.chars().next() {
        None | Some('#') => {
            let message = format!("setting {} has no value", shown(name));
            return Err(error(message, from..from + name_len));
        }
        Some('\'') => match pg_string(value_text) {
            Some(quoted) => quoted,
            None => {
                let message = "unterminated quoted string: no closing `'` on this line".into();
                return Err(error(message, v..v + 1));
            }
        },
        Some(_) => {
            let len = value_text
                .find(|c: char| BLANK.contains(&c) || c == '#' || c == '\'')
                .unwrap_or(value_text.len());
            (sub(value_text, 0..len).to_string(), len)
        }
    };
    let tail = sub(value_text, len..value_text.len()).trim_start_matches(BLANK);
    // What follows the value, up to a comment.
    let junk = sub(tail, 0..tail.find('#').unwrap_or(tail.len())).trim_end_matches(BLANK);
    let complaint = (!junk.is_empty()).then(|| {
        let message = format!(
            "unexpected {} after the value of {}",
            shown(junk),
            shown(name)
        );
        let start = to - tail.len();
        error(message, start..start + junk.len())
    });
    // Setting names are case-insensitive (ASCII only, as in PostgreSQL); the span keeps the text.
    let key = Key::new(name.to_ascii_lowercase(), name_span);
    let node = Node::str(value, file.span(v..v + len));
    Ok(Some(((key, node), complaint)))
}

/// A `'...'` string at the start of `s` (one line): its decoded text and its length, quotes
/// included. `''` is a quote; backslash escapes are those of guc-file.l.
fn pg_string(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if chars.next_if(|&(_, c)| c == '\'').is_some() => out.push('\''),
            '\'' => return Some((out, i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0'..='7' => {
                        let mut code = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.next_if(|&(_, c)| c.is_digit(8)) {
                                Some((_, d)) => code = code * 8 + d.to_digit(8).unwrap_or(0),
                                None => break,
                            }
                        }
                        char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                    }
                    other => other,
                });
            }
            c => out.push(c),
        }
    }
    None
}

/// Parses `pg_hba.conf` into a list of records, one map per line:
/// `{type, database, user, address, mask, method, options}`, or `{include: path}` (and
/// `include_if_exists`, `include_dir`).
pub fn parse_hba(file: &SourceFile) -> Parsed {
    let text: &str = &file.text;
    let bom = bom_len(text);
    let mut hba = Hba {
        cursor: Cursor {
            file,
            last: file.pos(bom),
        },
        records: Vec::new(),
        errors: Vec::new(),
    };
    // A line ending in `\` continues on the next one (PostgreSQL 16); the `\` is dropped.
    let mut segments = Vec::new();
    for line in lines(text, bom) {
        let content = sub(text, line.clone()).trim_end_matches('\r');
        let end = line.start + content.len();
        if content.ends_with('\\') {
            segments.push(line.start..end - 1);
            continue;
        }
        segments.push(line.start..end);
        hba.record(&segments);
        segments.clear();
    }
    hba.record(&segments);
    let span = match (hba.records.first(), hba.records.last()) {
        (Some(first), Some(last)) => first.span.to(&last.span),
        _ => file.span(bom..bom),
    };
    Parsed {
        roots: vec![Node::list(hba.records, span)],
        errors: hba.errors,
    }
}

/// A word of a `pg_hba.conf` line, quotes removed.
struct Token {
    text: String,
    /// Source range, quotes included.
    range: Range<usize>,
    /// Source offset of the first `=` in the text, for `name=value` options.
    eq: Option<usize>,
}

/// A field: tokens joined by commas (`db1,"db 2"`).
type Field = Vec<Token>;

struct Hba<'a> {
    cursor: Cursor<'a>,
    records: Vec<Node>,
    errors: Vec<ParseError>,
}

impl Hba<'_> {
    /// Reads the record made of the given source segments (one line and its continuations).
    fn record(&mut self, segments: &[Range<usize>]) {
        let fields = fields(self.cursor.file, segments);
        let (Some(first), Some(last)) = (
            fields.first().and_then(|f| f.first()),
            fields.last().and_then(|f| f.last()),
        ) else {
            return;
        };
        let line = self.cursor.span(first.range.start..last.range.end);
        let mut fields = fields.iter();
        let Some(kind) = self.next(&mut fields) else {
            return;
        };
        let kind_name = kind.as_str().unwrap_or_default().to_string();
        if INCLUDES.contains(&kind_name.as_str()) {
            let Some(path) = self.next(&mut fields) else {
                return self.error(format!("`{kind_name}` needs a file name"), line);
            };
            if let Some(extra) = fields.next() {
                let span = self.field(extra).span;
                self.error(
                    format!("unexpected text after the `{kind_name}` file"),
                    span,
                );
            }
            let entries = vec![(Key::new(kind_name, kind.span), path)];
            self.records.push(Node::map(entries, line));
            return;
        }
        if !HBA_TYPES.contains(&kind_name.as_str()) {
            let message = format!(
                "unknown connection type {}: expected local, host, hostssl, hostnossl, \
                 hostgssenc, hostnogssenc or include",
                shown(&kind_name)
            );
            return self.error(message, kind.span);
        }
        let local = kind_name == "local";
        let database = self.next(&mut fields);
        let user = self.next(&mut fields);
        let address = if local {
            Some(Node::null(line))
        } else {
            self.next(&mut fields)
        };
        // An IP address without `/prefix` takes its netmask from the next field.
        let needs_mask = !local
            && address
                .as_ref()
                .and_then(Node::as_str)
                .is_some_and(|a| !a.contains('/') && a.parse::<std::net::IpAddr>().is_ok());
        let mask = if needs_mask {
            self.next(&mut fields)
        } else {
            Some(Node::null(line))
        };
        if needs_mask
            && let Some(node) = &mask
            && let Some(text) = node.as_str()
            && text.parse::<std::net::IpAddr>().is_err()
        {
            let message = format!(
                "expected a netmask after the IP address, found {}",
                shown(text)
            );
            return self.error(message, node.span);
        }
        let method = self.next(&mut fields);
        let parts = [
            ("type", Some(kind)),
            ("database", database),
            ("user", user),
            ("address", address),
            ("mask", mask),
            ("method", method),
        ];
        if let Some((missing, _)) = parts.iter().find(|(_, node)| node.is_none()) {
            let what = match *missing {
                "mask" => "netmask after the IP address",
                "method" => "authentication method",
                other => other,
            };
            return self.error(format!("incomplete record: missing the {what}"), line);
        }
        let options = self.options(fields.flatten(), line);
        let mut entries: Vec<(Key, Node)> = parts
            .into_iter()
            .filter_map(|(name, node)| node.map(|n| (Key::new(name, n.span), n)))
            .collect();
        entries.push((Key::new("options", options.span), options));
        self.records.push(Node::map(entries, line));
    }

    /// The next field as a node, if the line has one.
    fn next<'f>(&mut self, fields: &mut impl Iterator<Item = &'f Field>) -> Option<Node> {
        fields.next().map(|f| self.field(f))
    }

    /// A field as a string node: its tokens joined by commas, spanning them all.
    fn field(&mut self, field: &Field) -> Node {
        let start = field.first().map_or(0, |t| t.range.start);
        let end = field.last().map_or(0, |t| t.range.end);
        let words: Vec<&str> = field.iter().map(|t| t.text.as_str()).collect();
        Node::str(words.join(","), self.cursor.span(start..end))
    }

    /// `name=value` options; with none, an empty map pointing at the record.
    fn options<'t>(&mut self, tokens: impl Iterator<Item = &'t Token>, line: Span) -> Node {
        let mut entries = Vec::new();
        for token in tokens {
            match (token.eq, token.text.split_once('=')) {
                (Some(eq), Some((name, value))) => {
                    let key = Key::new(name, self.cursor.span(token.range.start..eq));
                    let span = self.cursor.span(eq + 1..token.range.end);
                    entries.push((key, Node::str(value, span)));
                }
                _ => {
                    let span = self.cursor.span(token.range.clone());
                    let message = format!(
                        "authentication option {} is not in name=value form",
                        shown(&token.text)
                    );
                    self.error(message, span);
                }
            }
        }
        let span = match (entries.first(), entries.last()) {
            (Some((first, _)), Some((_, last))) => first.span.to(&last.span),
            _ => line,
        };
        Node::map(entries, span)
    }

    fn error(&mut self, message: String, span: Span) {
        self.errors.push(ParseError { message, span });
    }
}

/// Splits a record into fields as hba.c's `next_field_expand` does: words end at blanks,
/// an unquoted `,` joins the next word to the same field, `#` starts a comment, and `"`
/// quotes (`""` is a literal quote).
fn fields(file: &SourceFile, segments: &[Range<usize>]) -> Vec<Field> {
    let text: &str = &file.text;
    let mut chars = segments
        .iter()
        .flat_map(|r| {
            let start = r.start;
            sub(text, r.clone())
                .char_indices()
                .map(move |(i, c)| (start + i, c))
        })
        .peekable();
    let mut fields = Vec::new();
    let mut field = Vec::new();
    loop {
        while chars
            .next_if(|&(_, c)| BLANK.contains(&c) || c == ',')
            .is_some()
        {}
        let (mut in_quote, mut was_quote, mut saw_quote, mut comma) = (false, false, false, false);
        let mut token = Token {
            text: String::new(),
            range: 0..0,
            eq: None,
        };
        while let Some((at, c)) = chars.next_if(|&(_, c)| in_quote || !BLANK.contains(&c)) {
            if !in_quote && c == '#' {
                chars.by_ref().for_each(drop);
                break;
            }
            if !in_quote && c == ',' {
                comma = true;
                break;
            }
            if token.text.is_empty() && !saw_quote {
                token.range.start = at;
            }
            token.range.end = at + c.len_utf8();
            if c != '"' || was_quote {
                if c == '=' && token.eq.is_none() {
                    token.eq = Some(at);
                }
                token.text.push(c);
            }
            was_quote = in_quote && c == '"' && !was_quote;
            if c == '"' {
                in_quote = !in_quote;
                saw_quote = true;
            }
        }
        if saw_quote || !token.text.is_empty() {
            field.push(token);
        }
        if !comma || chars.peek().is_none() {
            if !field.is_empty() {
                fields.push(std::mem::take(&mut field));
            }
            if chars.peek().is_none() {
                return fields;
            }
        }
    }
}

/// Computes positions left to right along a line from the previous one, so a long line with
/// many fields stays linear (`SourceFile::pos` counts columns from the line start).
struct Cursor<'a> {
    file: &'a SourceFile,
    last: Pos,
}

impl Cursor<'_> {
    fn pos(&mut self, offset: usize) -> Pos {
        self.last = self.file.pos_from(self.last, offset);
        self.last
    }

    fn span(&mut self, range: Range<usize>) -> Span {
        Span {
            source: self.file.id,
            start: self.pos(range.start),
            end: self.pos(range.end.max(range.start)),
        }
    }
}

/// Physical lines from `start`, as ranges without their `\n`.
fn lines(text: &str, mut start: usize) -> impl Iterator<Item = Range<usize>> {
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let end = sub(text, start..text.len())
            .find('\n')
            .map_or(text.len(), |i| start + i);
        let line = start..end;
        start = end + 1;
        Some(line)
    })
}

fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::{line_col, parse_as, parse_clean};
    use super::*;

    fn conf(text: &str) -> (SourceFile, Node) {
        parse_clean(parse, "postgresql.conf", text)
    }

    fn hba(text: &str) -> (SourceFile, Node) {
        parse_clean(parse_hba, "pg_hba.conf", text)
    }

    /// Each error as `((line, column), source text under it)`.
    fn places<'f>(file: &'f SourceFile, parsed: &Parsed) -> Vec<((u32, u32), &'f str)> {
        parsed
            .errors
            .iter()
            .map(|e| (line_col(&e.span), file.slice(&e.span)))
            .collect()
    }

    #[test]
    fn settings_keep_their_positions() {
        let text = "# comment\nlisten_addresses = '*'\t# where\n  max_connections=100\n\
                    shared_buffers 128MB\n";
        let (file, root) = conf(text);
        assert_eq!(
            root.to_json(),
            json!({"listen_addresses": "*", "max_connections": "100", "shared_buffers": "128MB"})
        );
        let (key, value) = &root.entries()[0];
        assert_eq!(
            (line_col(&key.span), file.slice(&key.span)),
            ((2, 1), "listen_addresses")
        );
        assert_eq!(
            (line_col(&value.span), file.slice(&value.span)),
            ((2, 20), "'*'")
        );
        let (key, value) = &root.entries()[1];
        assert_eq!(line_col(&key.span), (3, 3));
        assert_eq!(
            (line_col(&value.span), file.slice(&value.span)),
            ((3, 19), "100")
        );
        let buffers = root.get("shared_buffers").unwrap();
        assert_eq!(line_col(&buffers.span), (4, 16));
        assert_eq!(
            file.slice(&root.span),
            "listen_addresses = '*'\t# where\n  max_connections=100\nshared_buffers 128MB"
        );
    }

    #[test]
    fn values_are_kept_as_written() {
        let text = "ssl = on\nfsync = FALSE\nx = -1\ny = 0.5\nz = 1e3\nh = 0x1F\n\
                    t = 5min\np = /var/lib/pg\nq = 'a b'\n";
        let (_, root) = conf(text);
        assert_eq!(
            root.to_json(),
            json!({"ssl": "on", "fsync": "FALSE", "x": "-1", "y": "0.5", "z": "1e3",
                   "h": "0x1F", "t": "5min", "p": "/var/lib/pg", "q": "a b"})
        );
    }

    #[test]
    fn names_are_lowercased_and_repeats_kept() {
        let (file, root) = conf("Work_Mem = '4MB'\nwork_mem = 8MB\nauto_explain.Log_X = 1\n");
        assert_eq!(root.entries().len(), 3);
        assert_eq!(root.get("work_mem").and_then(Node::as_str), Some("8MB"));
        let (key, _) = &root.entries()[0];
        assert_eq!(&*key.name, "work_mem");
        assert_eq!(file.slice(&key.span), "Work_Mem");
        assert_eq!(&*root.entries()[2].0.name, "auto_explain.log_x");
    }

    #[test]
    fn quoted_strings_decode_escapes() {
        let text = r"a = 'it''s'
b = 'it\'s'
c = 'x # y'  # real comment
d = 'C:\\dir\n\101\q'
e = ''
";
        let (file, root) = conf(text);
        assert_eq!(
            root.to_json(),
            json!({"a": "it's", "b": "it's", "c": "x # y", "d": "C:\\dir\nAq", "e": ""})
        );
        assert_eq!(file.slice(&root.get("a").unwrap().span), "'it''s'");
        assert_eq!(file.slice(&root.get("c").unwrap().span), "'x # y'");
    }

    #[test]
    fn include_directives_are_entries() {
        let text =
            "include 'common.conf'\ninclude_if_exists = 'local.conf'\nINCLUDE_DIR 'conf.d'\n";
        let (file, root) = conf(text);
        assert_eq!(
            root.to_json(),
            json!({"include": "common.conf", "include_if_exists": "local.conf",
                   "include_dir": "conf.d"})
        );
        let dir = root.get("include_dir").unwrap();
        assert_eq!(
            (line_col(&dir.span), file.slice(&dir.span)),
            ((3, 13), "'conf.d'")
        );
    }

    #[test]
    fn bad_settings_are_reported_and_the_rest_read() {
        let text = "= 5\nwork_mem =\nport = 'open\nssl = on off # c\n9x = 1\nmax_wal_size = 1GB\n\
                    dyn # comment\n";
        let (file, parsed) = parse_as(parse, "postgresql.conf", text);
        assert_eq!(
            places(&file, &parsed),
            [
                ((1, 1), "= 5"),
                ((2, 1), "work_mem"),
                ((3, 8), "'"),
                ((4, 10), "off"),
                ((5, 1), "9x = 1"),
                ((7, 1), "dyn"),
            ]
        );
        assert_eq!(
            parsed.errors[0].message,
            "expected a setting name, found `=`"
        );
        assert_eq!(parsed.errors[1].message, "setting `work_mem` has no value");
        assert_eq!(
            parsed.errors[3].message,
            "unexpected `off` after the value of `ssl`"
        );
        // The setting with trailing junk is kept, as the lines after the errors.
        assert_eq!(
            parsed.roots[0].to_json(),
            json!({"ssl": "on", "max_wal_size": "1GB"})
        );
    }

    #[test]
    fn conf_crlf_bom_and_wide_characters() {
        let (file, root) = conf("\u{feff}a = 1\r\nb = 'é' # ü\r\nc = x\r\n");
        assert_eq!(root.to_json(), json!({"a": "1", "b": "é", "c": "x"}));
        assert_eq!(line_col(&root.entries()[0].0.span), (1, 2));
        let b = root.get("b").unwrap();
        assert_eq!((b.span.start.column, b.span.end.column), (5, 8));
        assert_eq!(file.slice(&root.get("c").unwrap().span), "x");
        let (_, root) = conf("\n# only comments\n");
        assert_eq!(root.entries().len(), 0);
        assert_eq!(line_col(&root.span), (1, 1));
    }

    #[test]
    fn conf_hostile_input() {
        let long = format!("a = '{}'\n", "é".repeat(1 << 19));
        let (_, root) = conf(&long);
        assert_eq!(
            root.get("a").and_then(Node::as_str).map(str::len),
            Some(1 << 20)
        );
        for text in [
            "\0 = \0\n",
            "a = '\\",
            "a = '\\0",
            "a = '\\7777'",
            "a '",
            "'",
            "\u{feff}",
            "é = ü",
            "\r\r\n=\r",
        ] {
            let (_, parsed) = parse_as(parse, "postgresql.conf", text);
            assert_eq!(parsed.roots.len(), 1, "{text:?}");
        }
    }

    const HBA: &str = "\
# TYPE  DATABASE   USER        ADDRESS                  METHOD
local   all        postgres                             peer
host    all        all         127.0.0.1/32             scram-sha-256  # loopback
host    replication all        192.168.0.0 255.255.0.0  md5
hostssl \"all\",db2  \"app user\"  .example.com             cert clientcert=verify-full map=m
";

    #[test]
    fn hba_records_have_every_field() {
        let (_, root) = hba(HBA);
        assert_eq!(
            root.to_json(),
            json!([
                {"type": "local", "database": "all", "user": "postgres", "address": null,
                 "mask": null, "method": "peer", "options": {}},
                {"type": "host", "database": "all", "user": "all", "address": "127.0.0.1/32",
                 "mask": null, "method": "scram-sha-256", "options": {}},
                {"type": "host", "database": "replication", "user": "all",
                 "address": "192.168.0.0", "mask": "255.255.0.0", "method": "md5",
                 "options": {}},
                {"type": "hostssl", "database": "all,db2", "user": "app user",
                 "address": ".example.com", "mask": null, "method": "cert",
                 "options": {"clientcert": "verify-full", "map": "m"}},
            ])
        );
    }

    #[test]
    fn hba_spans_point_at_fields() {
        let (file, root) = hba(HBA);
        let at = |path: &str| {
            let node = root.get_path(path).unwrap();
            (line_col(&node.span), file.slice(&node.span))
        };
        assert_eq!(at("0.method"), ((2, 57), "peer"));
        assert_eq!(at("1.address"), ((3, 32), "127.0.0.1/32"));
        assert_eq!(at("2.mask"), ((4, 44), "255.255.0.0"));
        assert_eq!(at("3.database"), ((5, 9), "\"all\",db2"));
        assert_eq!(at("3.user"), ((5, 20), "\"app user\""));
        assert_eq!(at("3.options.map"), ((5, 89), "m"));
        assert_eq!(at("3.options"), ((5, 62), "clientcert=verify-full map=m"));
        assert_eq!(
            at("1"),
            (
                (3, 1),
                "host    all        all         127.0.0.1/32             scram-sha-256"
            )
        );
        // Absent parts point at their record, and so does an empty options map.
        assert_eq!(at("0.address"), at("0"));
        assert_eq!(at("1.options"), at("1"));
        let record = &root.items()[3];
        let (key, _) = &record.entries()[6];
        assert_eq!(file.slice(&key.span), "clientcert=verify-full map=m");
        let (key, _) = &record.get("options").unwrap().entries()[0];
        assert_eq!(
            (line_col(&key.span), file.slice(&key.span)),
            ((5, 62), "clientcert")
        );
        assert_eq!(file.slice(&root.span).lines().count(), 4);
        assert!(file.slice(&root.span).starts_with("local"));
    }

    #[test]
    fn hba_tokens_follow_postgres() {
        let text = "host a, b ,c \"x#y\",\"q\"\"t\" all # c\n\
                    local all all trust#comment\n\
                    host all all all ldap ldapprefix=\"cn=\" ldapsuffix=\", dc=ex\"\n";
        let (_, root) = hba(text);
        // `a, b` is one field; the blank before `,c` ends it, so `c` is the user.
        let first = &root.items()[0];
        assert_eq!(first.get("database").and_then(Node::as_str), Some("a,b"));
        assert_eq!(first.get("user").and_then(Node::as_str), Some("c"));
        assert_eq!(
            first.get("address").and_then(Node::as_str),
            Some("x#y,q\"t")
        );
        assert_eq!(first.get("method").and_then(Node::as_str), Some("all"));
        assert_eq!(
            root.get_path("1.method").and_then(Node::as_str),
            Some("trust")
        );
        assert_eq!(
            root.get_path("2.options").unwrap().to_json(),
            json!({"ldapprefix": "cn=", "ldapsuffix": ", dc=ex"})
        );
    }

    #[test]
    fn hba_includes_and_continuations() {
        let text = "include_dir conf.d\r\nhost all all \\\r\n  10.0.0.0/8 \\\n  trust\r\n\
                    include \"extra file.conf\"\n";
        let (file, root) = hba(text);
        assert_eq!(
            root.to_json(),
            json!([
                {"include_dir": "conf.d"},
                {"type": "host", "database": "all", "user": "all", "address": "10.0.0.0/8",
                 "mask": null, "method": "trust", "options": {}},
                {"include": "extra file.conf"},
            ])
        );
        let (key, path) = &root.items()[2].entries()[0];
        assert_eq!(
            (line_col(&key.span), file.slice(&key.span)),
            ((5, 1), "include")
        );
        assert_eq!(line_col(&path.span), (5, 9));
        let host = &root.items()[1];
        assert_eq!(line_col(&host.get("method").unwrap().span), (4, 3));
        assert_eq!((host.span.start.line, host.span.end.line), (2, 4));
        // A continuation inside a word joins it.
        let (_, root) = hba("host all all all tr\\\nust\n");
        assert_eq!(
            root.get_path("0.method").and_then(Node::as_str),
            Some("trust")
        );
    }

    #[test]
    fn bad_hba_records_are_reported_and_the_rest_read() {
        let text = "host all all\nlocal all all peer\nhots all all ::1/128 md5\n\
                    host all all 10.0.0.1 md5\nhost all all 10.0.0.1 255.0.0.0 md5 bad x=1\n\
                    include\nhost all all 10.0.0.2\nhost all all samenet\n\
                    hostssl all all ::1/128 cert\n";
        let (file, parsed) = parse_as(parse_hba, "pg_hba.conf", text);
        assert_eq!(
            places(&file, &parsed),
            [
                ((1, 1), "host all all"),
                ((3, 1), "hots"),
                ((4, 23), "md5"),
                ((5, 37), "bad"),
                ((6, 1), "include"),
                ((7, 1), "host all all 10.0.0.2"),
                ((8, 1), "host all all samenet"),
            ]
        );
        let messages: Vec<&str> = parsed.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages[0], "incomplete record: missing the address");
        assert!(messages[1].starts_with("unknown connection type `hots`"));
        assert_eq!(
            messages[2],
            "expected a netmask after the IP address, found `md5`"
        );
        assert_eq!(
            messages[3],
            "authentication option `bad` is not in name=value form"
        );
        assert_eq!(messages[4], "`include` needs a file name");
        assert_eq!(
            messages[5],
            "incomplete record: missing the netmask after the IP address"
        );
        assert_eq!(
            messages[6],
            "incomplete record: missing the authentication method"
        );
        let types: Vec<_> = parsed.roots[0]
            .items()
            .iter()
            .map(|r| r.get("type").unwrap().to_json())
            .collect();
        assert_eq!(types, ["local", "host", "hostssl"]);
        assert_eq!(
            parsed.roots[0].get_path("1.options").unwrap().to_json(),
            json!({"x": "1"})
        );
    }

    #[test]
    fn hba_empty_and_hostile_input() {
        let (_, root) = hba("# nothing\n\n   \n");
        assert_eq!(root.items().len(), 0);
        // A long line of many wide options stays fast (columns counted incrementally).
        let long = format!("host all all all md5 {}\n", "é=ü ".repeat(200_000));
        let (file, root) = hba(&long);
        let options = root.get_path("0.options").unwrap();
        assert_eq!(options.entries().len(), 200_000);
        let (last_key, _) = options.entries().last().unwrap();
        assert_eq!(line_col(&last_key.span), (1, 22 + 4 * 199_999));
        assert_eq!(file.slice(&last_key.span), "é");
        for text in [
            "\0 \0 \0 \0 \0",
            "host \"all all all md5",
            "host all all all md5 \"",
            "\\",
            "\\\n\\\n",
            ",,,,",
            "\"\"",
            "local \"\" \"\" \"\"",
            "host all all 1.2.3.4",
            "é ü",
        ] {
            let (_, parsed) = parse_as(parse_hba, "pg_hba.conf", text);
            assert_eq!(parsed.roots.len(), 1, "{text:?}");
        }
    }
}

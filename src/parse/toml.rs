//! TOML adapter over the toml crate's spanned `DeTable`.
//!
//! The crate gives every key and value a span, but a `[header]` table's span is only its
//! header, an implicit table's (`a` in `[a.b]` or `a.b = 1`) only its key, and the root none.
//! Those map spans are recomputed here from the children and the list of headers.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::model::{Key, Node, SourceFile, Value};

use super::{ParseError, Parsed};

/// Deepest nesting kept. The crate caps inline arrays and tables at 80 levels and key paths at
/// 80 segments, but dotted keys inside nested inline tables multiply the two, and whatever
/// walks the tree later (drop included) recurses.
const MAX_DEPTH: usize = 1000;

pub fn parse(file: &SourceFile) -> Parsed {
    let root = match DeTable::parse(&file.text) {
        Ok(root) => root.into_inner(),
        Err(err) => {
            let (message, range) = match err.span() {
                Some(range) => (err.message().to_string(), range),
                // The crate's only error without a place is its "recursion limit" on keys.
                None => ("key has more than 80 dotted parts".to_string(), 0..0),
            };
            return Parsed::failed(ParseError {
                message,
                span: file.span(range),
            });
        }
    };
    let builder = Builder {
        file,
        headers: headers(&file.text, &root),
    };
    match builder.build(&root) {
        Ok(mut root) => {
            // A table's span stops at its own last key, but the document ends with whatever
            // sub-table comes last.
            let end = last_end(&root);
            if end > root.span.end.offset {
                root.span = file.span(root.span.start.offset..end);
            }
            Parsed::one(root)
        }
        Err(err) => Parsed::failed(err),
    }
}

/// The furthest end offset of any node in the tree (walked without recursion).
fn last_end(root: &Node) -> usize {
    let mut end = root.span.end.offset;
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        end = end.max(node.span.end.offset);
        pending.extend(node.items());
        pending.extend(node.entries().iter().map(|(_, v)| v));
    }
    end
}

/// Sorted spans of all `[table]` and `[[array]]` headers: the tables and array-of-tables items
/// the crate spans with their header (text starting with `[`). Inline tables hold no headers.
fn headers(text: &str, root: &DeTable) -> Vec<Range<usize>> {
    let starts_with =
        |value: &Spanned<DeValue>, c| text.get(value.span()).is_some_and(|s| s.starts_with(c));
    let mut headers = Vec::new();
    let mut tables = vec![root];
    while let Some(table) = tables.pop() {
        for value in table.values() {
            match value.get_ref() {
                DeValue::Table(child) if !starts_with(value, '{') => {
                    if starts_with(value, '[') {
                        headers.push(value.span());
                    }
                    tables.push(child);
                }
                DeValue::Array(items) => {
                    for item in items.iter() {
                        if let DeValue::Table(child) = item.get_ref()
                            && starts_with(item, '[')
                        {
                            headers.push(item.span());
                            tables.push(child);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    headers.sort_by_key(|header| header.start);
    headers
}

/// From the first key to the end of the last value among the entries `keep` selects.
fn extent(entries: &[(Key, Node)], keep: impl Fn(&Key) -> bool) -> Option<Range<usize>> {
    entries
        .iter()
        .filter(|(key, _)| keep(key))
        .map(|(key, value)| {
            key.span.start.offset.min(value.span.start.offset)..value.span.end.offset
        })
        .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
}

struct Builder<'f> {
    file: &'f SourceFile,
    /// Sorted, disjoint spans of every table header.
    headers: Vec<Range<usize>>,
}

enum Visit<'t, 'i> {
    Done(Node),
    Open(Open<'t, 'i>),
}

/// A container whose children are being converted.
enum Open<'t, 'i> {
    List {
        range: Range<usize>,
        rest: std::slice::Iter<'t, Spanned<DeValue<'i>>>,
        items: Vec<Node>,
    },
    Map {
        /// The crate's span; `None` for the root.
        range: Option<Range<usize>>,
        rest: toml::map::Iter<'t, Spanned<DeString<'i>>, Spanned<DeValue<'i>>>,
        entries: Vec<(Key, Node)>,
        /// Key of the child being converted.
        key: Option<Key>,
    },
}

impl Builder<'_> {
    /// Converts with an explicit stack of open containers instead of recursion, so a deep
    /// document costs heap, not the thread's stack.
    fn build(&self, root: &DeTable) -> Result<Node, ParseError> {
        let mut top = Open::Map {
            range: None,
            rest: root.iter(),
            entries: Vec::new(),
            key: None,
        };
        let mut parents = Vec::new();
        loop {
            match self.next_child(&mut top) {
                Some(child) => match self.visit(child)? {
                    Visit::Done(node) => attach(&mut top, node),
                    Visit::Open(open) => {
                        if parents.len() + 1 >= MAX_DEPTH {
                            let message = format!("nesting deeper than {MAX_DEPTH} levels");
                            return Err(self.error(message, child.span()));
                        }
                        parents.push(std::mem::replace(&mut top, open));
                    }
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

    fn next_child<'t, 'i>(&self, open: &mut Open<'t, 'i>) -> Option<&'t Spanned<DeValue<'i>>> {
        match open {
            Open::List { rest, .. } => rest.next(),
            Open::Map { rest, key, .. } => {
                let (name, value) = rest.next()?;
                *key = Some(Key::new(
                    name.get_ref().as_ref(),
                    self.file.span(name.span()),
                ));
                Some(value)
            }
        }
    }

    /// A scalar's node, or an empty container to fill.
    fn visit<'t, 'i>(&self, value: &'t Spanned<DeValue<'i>>) -> Result<Visit<'t, 'i>, ParseError> {
        let range = value.span();
        let value = match value.get_ref() {
            DeValue::Array(items) => {
                return Ok(Visit::Open(Open::List {
                    range,
                    rest: items.iter(),
                    items: Vec::new(),
                }));
            }
            DeValue::Table(table) => {
                return Ok(Visit::Open(Open::Map {
                    range: Some(range),
                    rest: table.iter(),
                    entries: Vec::new(),
                    key: None,
                }));
            }
            DeValue::String(s) => Value::Str(s.as_ref().into()),
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Integer(int) => match i64::from_str_radix(int.as_str(), int.radix()) {
                Ok(int) => Value::Int(int),
                Err(_) => return Err(self.error("integer out of the 64-bit range".into(), range)),
            },
            DeValue::Float(float) => match float.as_str().parse::<f64>() {
                // `inf` is spelled out; an infinity from a huge literal is out of range.
                Ok(f) if !f.is_infinite() || float.as_str().contains("inf") => Value::Float(f),
                _ => return Err(self.error("float out of the 64-bit range".into(), range)),
            },
            DeValue::Datetime(_) => {
                Value::Str(self.file.text.get(range.clone()).unwrap_or("").into())
            }
        };
        Ok(Visit::Done(Node::new(value, self.file.span(range))))
    }

    fn close(&self, open: Open) -> Node {
        match open {
            Open::List { range, items, .. } => self.list(range, items),
            Open::Map {
                range: Some(range),
                entries,
                ..
            } => self.map(range, entries),
            // The root runs from its first key or header to its last value.
            Open::Map {
                range: None,
                entries,
                ..
            } => {
                let range = extent(&entries, |_| true).unwrap_or(0..0);
                Node::map(entries, self.file.span(range))
            }
        }
    }

    fn list(&self, range: Range<usize>, items: Vec<Node>) -> Node {
        // An array of tables is spread over its `[[headers]]`: from the first to the last item.
        let range = match (items.first(), items.last()) {
            (Some(first), Some(last)) if self.is_header(&range) => {
                first.span.start.offset..last.span.end.offset
            }
            _ => range,
        };
        Node::list(items, self.file.span(range))
    }

    fn map(&self, range: Range<usize>, entries: Vec<(Key, Node)>) -> Node {
        let inline = self
            .file
            .text
            .get(range.clone())
            .is_some_and(|s| s.starts_with('{'));
        let range = if inline {
            range
        } else if self.is_header(&range) {
            self.section(range, &entries)
        } else if let Some(header) = self.header_around(&range) {
            // An implicit parent (`a` of `[a.b]`): the first header that created it.
            header
        } else {
            // Made by dotted keys: their extent, leaving out sub-tables later headers added.
            extent(&entries, |key| {
                self.header_around(&key.span.byte_range()).is_none()
            })
            .unwrap_or(range)
        };
        Node::map(entries, self.file.span(range))
    }

    /// A `[header]` table: the header, then its own key/values up to the next header.
    fn section(&self, header: Range<usize>, entries: &[(Key, Node)]) -> Range<usize> {
        let next = self.headers.partition_point(|h| h.start < header.end);
        let section_end = self.headers.get(next).map_or(usize::MAX, |h| h.start);
        let own = extent(entries, |key| {
            (header.end..section_end).contains(&key.span.start.offset)
        });
        header.start..own.map_or(header.end, |own| own.end.max(header.end))
    }

    fn is_header(&self, range: &Range<usize>) -> bool {
        self.headers
            .binary_search_by_key(&range.start, |h| h.start)
            .is_ok()
    }

    fn header_around(&self, range: &Range<usize>) -> Option<Range<usize>> {
        let index = self
            .headers
            .partition_point(|h| h.start <= range.start)
            .checked_sub(1)?;
        self.headers
            .get(index)
            .filter(|h| range.end <= h.end)
            .cloned()
    }

    fn error(&self, message: String, range: Range<usize>) -> ParseError {
        ParseError {
            message,
            span: self.file.span(range),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    use crate::parse::testing::line_col;

    fn parse_str(text: &str) -> (SourceFile, Parsed) {
        crate::parse::testing::parse_as(parse, "test.toml", text)
    }

    fn parse_ok(text: &str) -> (SourceFile, Node) {
        crate::parse::testing::parse_clean(parse, "test.toml", text)
    }

    fn error(text: &str) -> ParseError {
        crate::parse::testing::parse_failure(parse, "test.toml", text)
    }

    fn end_line_col(span: &Span) -> (u32, u32) {
        (span.end.line, span.end.column)
    }

    fn key<'n>(node: &'n Node, name: &str) -> &'n Key {
        &node
            .entries()
            .iter()
            .find(|(k, _)| &*k.name == name)
            .unwrap()
            .0
    }

    const CARGO: &str = r#"# manifest
[package]
name = "demo"
version = "0.1.0"

[dependencies]
serde = { version = "1", features = ["derive", "rc"] }

# trailing comment
"#;

    #[test]
    fn keys_values_and_items_have_line_and_column() {
        let (file, root) = parse_ok(CARGO);
        let deps = root.get("dependencies").unwrap();
        let serde = key(deps, "serde");
        assert_eq!(line_col(&serde.span), (7, 1));
        assert_eq!(file.slice(&serde.span), "serde");

        let version = root.get_path("dependencies.serde.version").unwrap();
        assert_eq!(version.as_str(), Some("1"));
        assert_eq!(line_col(&version.span), (7, 21));
        assert_eq!(file.slice(&version.span), "\"1\"");

        let rc = root.get_path("dependencies.serde.features.1").unwrap();
        assert_eq!(rc.as_str(), Some("rc"));
        assert_eq!(line_col(&rc.span), (7, 48));

        let features = root.get_path("dependencies.serde.features").unwrap();
        assert_eq!(file.slice(&features.span), r#"["derive", "rc"]"#);
        let inline = root.get_path("dependencies.serde").unwrap();
        assert!(file.slice(&inline.span).starts_with("{ version"));
        assert!(file.slice(&inline.span).ends_with("] }"));
    }

    #[test]
    fn the_root_spans_sub_tables_declared_last() {
        let (file, root) = parse_ok("[server]\nport = 1\n\n[server.tls]\ncert = \"x\"\n");
        assert_eq!(
            file.slice(&root.span),
            "[server]\nport = 1\n\n[server.tls]\ncert = \"x\""
        );
        assert_eq!(
            file.slice(&root.get("server").unwrap().span),
            "[server]\nport = 1"
        );
    }

    #[test]
    fn header_tables_span_from_header_to_last_value() {
        let (file, root) = parse_ok(CARGO);
        let package = root.get("package").unwrap();
        assert_eq!(
            file.slice(&package.span),
            "[package]\nname = \"demo\"\nversion = \"0.1.0\""
        );
        assert_eq!(end_line_col(&package.span), (4, 18));
        assert_eq!(line_col(&key(&root, "package").span), (2, 2));
        let deps = root.get("dependencies").unwrap();
        assert_eq!(line_col(&deps.span), (6, 1));
        assert_eq!(end_line_col(&deps.span), (7, 55));
        // The root runs from the first header to the last value, comments left out.
        assert_eq!(line_col(&root.span), (2, 1));
        assert_eq!(end_line_col(&root.span), (7, 55));

        let (file, root) = parse_ok("[empty]\n\n[next]\n");
        assert_eq!(file.slice(&root.get("empty").unwrap().span), "[empty]");
    }

    #[test]
    fn implicit_parents_take_their_first_header() {
        let text = "[tool.poetry]\nname = \"x\"\n\n[tool.black]\nline-length = 88\n";
        let (file, root) = parse_ok(text);
        let tool = root.get("tool").unwrap();
        assert_eq!(file.slice(&tool.span), "[tool.poetry]");
        assert_eq!(file.slice(&key(&root, "tool").span), "tool");
        let black = root.get_path("tool.black").unwrap();
        assert_eq!(file.slice(&black.span), "[tool.black]\nline-length = 88");
        let black_key = key(tool, "black");
        assert_eq!(line_col(&black_key.span), (4, 7));

        // A parent defined after its child gets its own header's section.
        let (file, root) = parse_ok("[a.b]\nx = 1\n[a]\ny = 2\n");
        let a = root.get("a").unwrap();
        assert_eq!(file.slice(&a.span), "[a]\ny = 2");
        assert_eq!(a.get_path("b.x").unwrap().value, Value::Int(1));
    }

    #[test]
    fn dotted_keys_nest_with_a_span_per_segment() {
        let text = "site.\"google.com\".ip = \"1.2.3.4\"\nsite.other = true\n";
        let (file, root) = parse_ok(text);
        let site = root.get("site").unwrap();
        let google = key(site, "google.com");
        assert_eq!(file.slice(&google.span), "\"google.com\"");
        assert_eq!(line_col(&google.span), (1, 6));
        let ip = root.get("site").unwrap().entries()[0].1.entries();
        assert_eq!(file.slice(&ip[0].0.span), "ip");
        assert_eq!(line_col(&ip[0].0.span), (1, 19));
        assert_eq!(file.slice(&key(&root, "site").span), "site");
        // A dotted table spans its entries: from its first key to its last value.
        assert_eq!(
            file.slice(&site.span),
            "\"google.com\".ip = \"1.2.3.4\"\nsite.other = true"
        );
        let google = site.get("google.com").unwrap();
        assert_eq!(file.slice(&google.span), "ip = \"1.2.3.4\"");
        assert_eq!(site.get("other").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn dotted_tables_leave_out_sub_tables_from_later_headers() {
        let text = "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n\n[fruit.apple.texture]\nsmooth = true\n";
        let (file, root) = parse_ok(text);
        let fruit = root.get("fruit").unwrap();
        assert_eq!(
            file.slice(&fruit.span),
            "[fruit]\napple.color = \"red\"\napple.taste.sweet = true"
        );
        let apple = fruit.get("apple").unwrap();
        assert_eq!(
            file.slice(&apple.span),
            "color = \"red\"\napple.taste.sweet = true"
        );
        let texture = apple.get("texture").unwrap();
        assert_eq!(
            file.slice(&texture.span),
            "[fruit.apple.texture]\nsmooth = true"
        );
    }

    #[test]
    fn arrays_of_tables_are_lists_of_maps() {
        let text = "[[bin]]\nname = \"a\"\n\n[[bin]]\nname = \"b\" # last\n\n[other]\n";
        let (file, root) = parse_ok(text);
        let bins = root.get("bin").unwrap();
        assert_eq!(bins.items().len(), 2);
        assert_eq!(file.slice(&bins.items()[0].span), "[[bin]]\nname = \"a\"");
        assert_eq!(file.slice(&bins.items()[1].span), "[[bin]]\nname = \"b\"");
        assert_eq!(line_col(&bins.span), (1, 1));
        assert_eq!(end_line_col(&bins.span), (5, 11));
        let b = root.get_path("bin.1.name").unwrap();
        assert_eq!(b.as_str(), Some("b"));
        assert_eq!(line_col(&b.span), (5, 8));
        assert_eq!(line_col(&key(&root, "bin").span), (1, 3));

        // Sub-tables of the last item.
        let (file, root) = parse_ok("[[a]]\n[a.b]\nc = 1\n[[a]]\n[a.b]\nc = 2\n");
        assert_eq!(root.get_path("a.1.b.c").unwrap().value, Value::Int(2));
        assert_eq!(file.slice(&root.get_path("a.1").unwrap().span), "[[a]]");
        assert_eq!(line_col(&root.get_path("a.1.b").unwrap().span), (5, 1));
    }

    #[test]
    fn scalars_are_typed_and_keep_their_text() {
        let text = "i = 1_000\nh = 0xff\nn = -7\nf = 1.10\ne = 5e-1\np = +inf\nm = -inf\nq = nan\nb = false\ns = 'C:\\raw'\nt = \"tab\\t\\u00e9\"\nml = \"\"\"\nline\"\"\"\n";
        let (file, root) = parse_ok(text);
        assert_eq!(root.get("i").unwrap().value, Value::Int(1000));
        assert_eq!(file.slice(&root.get("i").unwrap().span), "1_000");
        assert_eq!(root.get("h").unwrap().value, Value::Int(255));
        assert_eq!(root.get("n").unwrap().value, Value::Int(-7));
        let f = root.get("f").unwrap();
        assert_eq!(f.value, Value::Float(1.1));
        assert_eq!(file.slice(&f.span), "1.10");
        assert_eq!(root.get("e").unwrap().value, Value::Float(0.5));
        assert_eq!(root.get("p").unwrap().value, Value::Float(f64::INFINITY));
        assert_eq!(
            root.get("m").unwrap().value,
            Value::Float(f64::NEG_INFINITY)
        );
        assert!(matches!(root.get("q").unwrap().value, Value::Float(f) if f.is_nan()));
        assert_eq!(root.get("b").unwrap().value, Value::Bool(false));
        assert_eq!(root.get("s").unwrap().as_str(), Some("C:\\raw"));
        assert_eq!(file.slice(&root.get("s").unwrap().span), "'C:\\raw'");
        assert_eq!(root.get("t").unwrap().as_str(), Some("tab\t\u{e9}"));
        assert_eq!(root.get("ml").unwrap().as_str(), Some("line"));
        assert_eq!(end_line_col(&root.get("ml").unwrap().span), (13, 8));
    }

    #[test]
    fn out_of_range_numbers_are_errors_at_the_value() {
        let err = error("ok = 1\nbig = 9223372036854775808\n");
        assert_eq!(line_col(&err.span), (2, 7));
        assert_eq!(err.message, "integer out of the 64-bit range");
        assert_eq!(line_col(&error("x = 0xffffffffffffffff").span), (1, 5));
        assert_eq!(error("x = 1e400").message, "float out of the 64-bit range");
        assert_eq!(
            parse_ok("x = -9223372036854775808")
                .1
                .get("x")
                .unwrap()
                .value,
            Value::Int(i64::MIN)
        );
    }

    #[test]
    fn datetimes_are_strings_of_their_source_text() {
        let text = "odt = 1979-05-27 07:32:00Z\nldt = 1979-05-27T07:32:00.999\nld = 1979-05-27\nlt = 07:32:00\n";
        let (file, root) = parse_ok(text);
        for (name, expected) in [
            ("odt", "1979-05-27 07:32:00Z"),
            ("ldt", "1979-05-27T07:32:00.999"),
            ("ld", "1979-05-27"),
            ("lt", "07:32:00"),
        ] {
            let node = root.get(name).unwrap();
            assert_eq!(node.as_str(), Some(expected));
            assert_eq!(file.slice(&node.span), expected);
        }
        assert_eq!(line_col(&root.get("lt").unwrap().span), (4, 6));
    }

    #[test]
    fn duplicate_keys_error_at_the_second_one() {
        let err = error("a = 1\nb = 2\na = 3\n");
        assert_eq!(err.message, "duplicate key");
        assert_eq!(line_col(&err.span), (3, 1));
        let err = error("[t]\nx = 1\n\n[t]\n");
        assert_eq!(err.message, "duplicate key");
        assert_eq!(line_col(&err.span), (4, 2));
        assert_eq!(line_col(&error("[t]\nx = 1\n[t.x]\n").span), (3, 4));
    }

    #[test]
    fn syntax_errors_point_where_the_crate_reports() {
        let err = error("name = \"x\"\na = \n");
        assert_eq!(line_col(&err.span), (2, 5));
        assert!(!err.message.contains('\n'), "{}", err.message);
        assert!(!err.message.contains("TOML parse error"));

        let err = error("[table\nx = 1\n");
        assert_eq!(err.message, "unclosed table, expected `]`");
        assert_eq!(line_col(&err.span), (1, 7));

        let err = error("a = [1,\n");
        assert!(err.message.contains("unclosed array"), "{}", err.message);
        let err = error("a = \"open\n");
        assert_eq!(err.span.start.line, 1);
        assert!(err.message.contains("string"), "{}", err.message);
    }

    #[test]
    fn overlong_key_paths_are_errors() {
        let path: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        for text in [
            format!("{} = 1", path.join(".")),
            format!("[{}]", path.join(".")),
        ] {
            assert_eq!(error(&text).message, "key has more than 80 dotted parts");
        }
        let path = &path[..60];
        let (_, root) = parse_ok(&format!("{} = 1", path.join(".")));
        assert_eq!(root.get_path(&path.join(".")).unwrap().value, Value::Int(1));
    }

    #[test]
    fn empty_document_is_an_empty_map() {
        for text in ["", "\n# only comments\n"] {
            let (_, root) = parse_ok(text);
            assert_eq!(root.entries().len(), 0);
            assert_eq!(line_col(&root.span), (1, 1));
        }
    }

    #[test]
    fn byte_order_mark_keeps_original_offsets() {
        let (file, root) = parse_ok("\u{feff}a = 1\n[t]\nb = 2\n");
        let a = key(&root, "a");
        assert_eq!(a.span.start.offset, 3);
        assert_eq!(line_col(&a.span), (1, 2));
        assert_eq!(file.slice(&root.get("t").unwrap().span), "[t]\nb = 2");
        let err = error("\u{feff}a = 1\na = 2");
        assert_eq!(line_col(&err.span), (2, 1));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (_, root) = parse_ok("\"é\" = \"ü\"\nk = { \"ñ\" = 1, x = 2 }\n");
        let value = root.get("é").unwrap();
        assert_eq!(line_col(&value.span), (1, 7));
        assert_eq!(value.span.start.offset, 7);
        assert_eq!(line_col(&root.get_path("k.x").unwrap().span), (2, 20));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for open in ["[", "{b="] {
            let err = error(&format!("a = {}", open.repeat(100_000)));
            assert!(err.message.contains("recurs"), "{}", err.message);
        }
        // Dotted keys inside nested inline tables pass the crate's limits but not ours.
        let path: Vec<String> = (0..70).map(|i| format!("k{i}")).collect();
        let nest = |levels: usize| {
            let open = format!("{{ {} = ", path.join("."));
            format!("x = {}1{}", open.repeat(levels), " }".repeat(levels))
        };
        let err = error(&nest(20));
        assert_eq!(err.message, "nesting deeper than 1000 levels");
        assert_eq!(err.span.start.line, 1);
        let (_, root) = parse_ok(&nest(13));
        let deepest = format!("x.{}", vec![path.join("."); 13].join("."));
        assert_eq!(root.get_path(&deepest).unwrap().value, Value::Int(1));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        for text in [
            "\u{feff}",
            "[",
            "[[",
            "[a]]",
            "a.",
            "\"",
            "a = '",
            "a = \"\\u",
            "é = 1",
            "a = [{",
            "a = {b.c",
            "[a.b]\n[a]\n[a.b]",
            "x = 1979-13-45",
            "a = 0x",
            "a = 1__0",
            "= 1",
            "[]",
            "\r",
            "a = 1 b = 2",
        ] {
            let (_, parsed) = parse_str(text);
            assert_eq!(parsed.roots.len() + parsed.errors.len(), 1, "{text:?}");
        }
    }
}

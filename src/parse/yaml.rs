//! YAML adapter: builds the model tree from saphyr-parser's event stream.
//!
//! We build our own tree (rather than use a YAML loader) to get a span on every node and key,
//! keep duplicate keys, keep each scalar's source text under its span, and bound alias
//! expansion.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Tag};

use crate::limits::Limits;
use crate::model::{Key, Node, SourceFile, Span, Value};

use super::{ParseError, Parsed};

const CORE_TAG: &str = "tag:yaml.org,2002:";

pub fn parse(file: &SourceFile) -> Parsed {
    parse_within(file, &Limits::default())
}

/// Parses under the YAML limits: the deepest nesting accepted, counting nesting created
/// through aliases (downstream walkers recurse), and the nodes alias expansion may produce in
/// one file. Expanded nodes share memory (`Arc`), so the budget bounds the work of whatever
/// walks the tree afterwards, not our memory; a fixed number keeps that bound predictable
/// whatever the file size, and real files use a tiny fraction.
pub fn parse_within(file: &SourceFile, limits: &Limits) -> Parsed {
    let mut builder = Builder::new(file, limits);
    let mut parser = Parser::new_from_str(&file.text);
    while let Some(next) = parser.next_event() {
        let step = match next {
            Ok((event, span)) => builder.event(event, span.start.index(), span.end.index()),
            Err(err) => Err(builder.scan_error(&err)),
        };
        if let Err(err) = step {
            builder.errors.push(err);
            break;
        }
    }
    Parsed {
        roots: builder.roots,
        errors: builder.errors,
    }
}

/// A finished node, with what its parent needs to know about it.
struct Built {
    node: Node,
    /// Nodes in the subtree, aliases counted at their expanded size.
    size: u64,
    /// Nesting depth of the subtree, aliases included.
    height: usize,
    /// Key name when used as a key: the raw scalar text; `None` means the source text.
    name: Option<Arc<str>>,
    /// Where it was written here (an alias's own place, not the anchored node's).
    at: Span,
    /// A plain `<<` scalar: a merge key when it is a key.
    merge: bool,
}

struct Anchored {
    node: Node,
    size: u64,
    height: usize,
    name: Option<Arc<str>>,
}

/// An open collection.
struct Frame {
    anchor: usize,
    start: usize,
    /// End of the furthest thing written inside; where a block collection ends.
    end: usize,
    /// Opened with `[` or `{`: ends after the closing bracket.
    flow: bool,
    size: u64,
    height: usize,
    body: Body,
}

enum Body {
    List(Vec<Node>),
    Map {
        entries: Vec<(Key, Node)>,
        /// Parallel to `entries`: which keys were `<<`.
        merge: Vec<bool>,
        /// A key waiting for its value, and whether it is `<<`.
        key: Option<(Key, bool)>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    text: &'a str,
    offsets: CharOffsets<'a>,
    stack: Vec<Frame>,
    root: Option<Node>,
    roots: Vec<Node>,
    errors: Vec<ParseError>,
    /// Anchors of the current document, by saphyr's anchor id.
    anchors: HashMap<usize, Anchored>,
    expanded: u64,
    /// The `---` of the current document, if explicit (an empty document's place).
    doc_marker: Option<(usize, usize)>,
    /// Byte end of the previous event; a block scalar's indicator is searched from there.
    last_end: usize,
    alias_budget: u64,
    max_depth: usize,
    max_documents: usize,
}

impl<'a> Builder<'a> {
    fn new(file: &'a SourceFile, limits: &Limits) -> Self {
        Builder {
            file,
            text: &file.text,
            offsets: CharOffsets::new(&file.text),
            stack: Vec::new(),
            root: None,
            roots: Vec::new(),
            errors: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            doc_marker: None,
            last_end: 0,
            alias_budget: limits.yaml_alias_budget,
            max_depth: limits.yaml_max_depth,
            max_documents: limits.yaml_max_documents,
        }
    }

    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<(), ParseError> {
        let start = self.offsets.byte(start);
        let end = self.offsets.byte(end).max(start);
        match event {
            Event::DocumentStart(explicit) => {
                // Every document is checked by every rule for its kind: a stream of tiny
                // documents (`---` repeated) would otherwise cost rule calls without end.
                if self.roots.len() >= self.max_documents {
                    return Err(ParseError {
                        message: format!(
                            "more than {} documents in one file: the rest are not read (`yaml-max-documents` in `[limits]` sets the cap)",
                            self.max_documents
                        ),
                        span: self.char_span(start),
                    });
                }
                // Aliases never reach into another document.
                self.anchors.clear();
                self.doc_marker = explicit.then_some((start, end));
                // An implicit start carries the first token's span, which may lie past a block
                // scalar's indicator: keep `last_end` from before the document.
                if !explicit {
                    return Ok(());
                }
            }
            Event::DocumentEnd => {
                if let Some(root) = self.root.take() {
                    self.roots.push(root);
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let built = self.scalar(&value, style, tag.as_deref(), start, end);
                self.attach(built, anchor);
            }
            Event::Alias(id) => self.alias(id, start, end)?,
            Event::SequenceStart(anchor, _) => {
                self.open(anchor, start, end, Body::List(Vec::new()))?
            }
            Event::MappingStart(anchor, _) => {
                let body = Body::Map {
                    entries: Vec::new(),
                    merge: Vec::new(),
                    key: None,
                };
                self.open(anchor, start, end, body)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(start)?,
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        self.last_end = end;
        Ok(())
    }

    fn scalar(
        &mut self,
        raw: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Built {
        let bytes = self.text.as_bytes();
        // saphyr's span starts at the node's properties (`&anchor`, `!tag`); ours at the scalar.
        let has_props = matches!(bytes.get(start), Some(b'&' | b'!'));
        let (s, e) = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => self.block_scalar(start, end, has_props),
            // An empty node: saphyr gives it the span of whatever token comes next.
            ScalarStyle::Plain if raw.is_empty() => {
                if has_props {
                    // `key: !!null` or `- &a`: the properties are all there is to point at.
                    (
                        start,
                        trim_end(self.text, start, skip_props(self.text, start, end)),
                    )
                } else if let (None, Some(marker)) = (self.stack.last(), self.doc_marker) {
                    marker
                } else if bytes.get(start) == Some(&b':') && self.awaits_value() {
                    // An empty value sits on its `:`; place it just after.
                    (start + 1, start + 1)
                } else {
                    (start, start)
                }
            }
            _ => {
                let s = if has_props {
                    skip_props(self.text, start, end)
                } else {
                    start
                };
                // saphyr's end of a quoted scalar can run over a trailing comment: stop at the
                // closing quote.
                let e =
                    closing_quote(self.text, s, end).unwrap_or_else(|| trim_end(self.text, s, end));
                (s, e)
            }
        };
        let span = self.file.span(s..e);
        let merge = style == ScalarStyle::Plain
            && raw == "<<"
            && tag.is_none_or(|t| core_name(t) == Some("merge"));
        let value = match resolve(raw, style, tag) {
            Ok(value) => value,
            Err(expected) => {
                // Not fatal: keep the text, report the mismatch.
                self.errors.push(ParseError {
                    message: format!("this value is not a valid {expected}"),
                    span,
                });
                Value::Str(raw.into())
            }
        };
        let name: Arc<str> = match &value {
            Value::Str(s) => s.clone(),
            _ => raw.into(),
        };
        Built {
            node: Node::new(value, span),
            size: 1,
            height: 0,
            name: Some(name),
            at: span,
            merge,
        }
    }

    /// A block scalar runs from its `|` or `>` indicator (saphyr starts at the content) to the
    /// end of its content, or of its header when it has none.
    fn block_scalar(&self, start: usize, end: usize, has_props: bool) -> (usize, usize) {
        let from = if has_props {
            start
        } else {
            self.last_end.min(start)
        };
        let content = trim_end(self.text, start, end);
        let Some(indicator) = block_indicator(self.text, from, end) else {
            return (start, content);
        };
        let header = self
            .text
            .as_bytes()
            .get(indicator + 1..end)
            .map_or(0, |rest| {
                rest.iter()
                    .take_while(|b| matches!(b, b'+' | b'-' | b'0'..=b'9'))
                    .count()
            });
        let header_end = indicator + 1 + header;
        if content > start {
            (indicator, content.max(header_end))
        } else {
            (indicator, header_end)
        }
    }

    fn alias(&mut self, id: usize, start: usize, end: usize) -> Result<(), ParseError> {
        let at = self.file.span(start..trim_end(self.text, start, end));
        let Some(anchored) = self.anchors.get(&id) else {
            let name = self.file.slice(&at);
            let message = if self.stack.iter().any(|f| f.anchor == id) {
                format!("alias {name} refers to a node that contains it")
            } else {
                format!("undefined alias {name}")
            };
            return Err(ParseError { message, span: at });
        };
        self.expanded = self.expanded.saturating_add(anchored.size);
        if self.expanded > self.alias_budget {
            return Err(ParseError {
                message: format!(
                    "alias expansion exceeds {} nodes (aliases nested too deeply or used too often; `yaml-alias-budget` in `[limits]` sets the cap)",
                    self.alias_budget
                ),
                span: at,
            });
        }
        let built = Built {
            node: anchored.node.clone(),
            size: anchored.size,
            height: anchored.height,
            name: anchored.name.clone(),
            at,
            merge: false,
        };
        self.attach(built, 0);
        Ok(())
    }

    fn open(
        &mut self,
        anchor: usize,
        start: usize,
        end: usize,
        body: Body,
    ) -> Result<(), ParseError> {
        let start = skip_props(self.text, start, end);
        if self.stack.len() >= self.max_depth {
            return Err(self.too_deep(start));
        }
        let flow = matches!(self.text.as_bytes().get(start), Some(b'[' | b'{'));
        let end = if flow { start + 1 } else { start };
        self.stack.push(Frame {
            anchor,
            start,
            end,
            flow,
            size: 1,
            height: 1,
            body,
        });
        Ok(())
    }

    fn close(&mut self, end_event_start: usize) -> Result<(), ParseError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        if frame.height > self.max_depth {
            return Err(self.too_deep(frame.start));
        }
        let closing = self.text.as_bytes().get(end_event_start);
        let end = if frame.flow && matches!(closing, Some(b']' | b'}')) {
            end_event_start + 1
        } else {
            frame.end
        };
        let span = self.file.span(frame.start..end);
        let node = match frame.body {
            Body::List(items) => Node::list(items, span),
            Body::Map { entries, merge, .. } => {
                // Only the map's own keys: a merged key may be overridden.
                let own = entries.iter().zip(&merge).filter(|(_, m)| !**m);
                self.errors
                    .extend(super::repeated_keys(own.map(|((key, _), _)| key)));
                Node::map(apply_merges(entries, &merge), span)
            }
        };
        let built = Built {
            node,
            size: frame.size,
            height: frame.height,
            name: None,
            at: span,
            merge: false,
        };
        self.attach(built, frame.anchor);
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the document root).
    fn attach(&mut self, built: Built, anchor: usize) {
        if anchor != 0 {
            let anchored = Anchored {
                node: built.node.clone(),
                size: built.size,
                height: built.height,
                name: built.name.clone(),
            };
            self.anchors.insert(anchor, anchored);
        }
        let file = self.file;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(built.node);
            return;
        };
        frame.size = frame.size.saturating_add(built.size);
        frame.height = frame.height.max(built.height.saturating_add(1));
        frame.end = frame.end.max(built.at.end.offset);
        match &mut frame.body {
            Body::List(items) => items.push(built.node),
            Body::Map {
                entries,
                merge,
                key,
            } => match key.take() {
                None => {
                    // A complex key (a map or list) is named by its source text.
                    let name = built
                        .name
                        .unwrap_or_else(|| file.slice(&built.node.span).into());
                    *key = Some((Key::new(name, built.at), built.merge));
                }
                Some((k, is_merge)) => {
                    entries.push((k, built.node));
                    merge.push(is_merge);
                }
            },
        }
    }

    fn awaits_value(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map { key: Some(_), .. },
                ..
            })
        )
    }

    fn too_deep(&self, at: usize) -> ParseError {
        ParseError {
            message: format!(
                "nesting deeper than {} levels (`yaml-max-depth` in `[limits]` sets the cap)",
                self.max_depth
            ),
            span: self.char_span(at),
        }
    }

    fn scan_error(&mut self, err: &ScanError) -> ParseError {
        let mut at = self.offsets.byte(err.marker().index());
        if err.info().contains("tab") {
            at = tab_near(self.text, at).unwrap_or(at);
        }
        if err.info().contains("unknown anchor") && self.text.as_bytes().get(at) == Some(&b'*') {
            let len = self.text.get(at..).map_or(0, |rest| {
                rest.find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
                    .unwrap_or(rest.len())
            });
            let span = self.file.span(at..at + len);
            let message = format!("undefined alias {}", self.file.slice(&span));
            return ParseError { message, span };
        }
        // saphyr stops flow collections nested past its own fixed depth.
        if err.info() == "recursion limit exceeded" {
            return ParseError {
                message: "flow collections (`[…]`, `{…}`) nested too deeply for the YAML scanner"
                    .into(),
                span: self.char_span(at),
            };
        }
        // saphyr says "while parsing X, expected Y": lead with what went wrong.
        let mut message = match err.info().split_once(", ") {
            Some((context, problem)) if context.starts_with("while ") => {
                format!("{problem} ({context})")
            }
            _ => err.info().to_string(),
        };
        // At the end of the input, the useful place is the bracket left open.
        let at_end = self
            .text
            .get(at..)
            .is_some_and(|rest| rest.trim().is_empty());
        if let Some(frame) = self.stack.last().filter(|f| f.flow && at_end) {
            let open = self.file.pos(frame.start);
            message = format!(
                "{message}: the bracket at line {}, column {} is never closed",
                open.line, open.column
            );
        }
        ParseError {
            message,
            span: self.char_span(at),
        }
    }

    /// The character at `at` (empty at a line break or the end).
    fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .filter(|c| !matches!(c, '\n' | '\r'))
            .map_or(0, char::len_utf8);
        self.file.span(at..at + len)
    }
}

/// Merge keys (`<<: *base`, `<<: [*a, *b]`): merged entries first, then the map's own.
///
/// A key the map sets itself, or an earlier source already gave, is skipped, so `Node::get`
/// (last match wins) agrees with YAML's precedence. A `<<` whose value is not a map or a list of
/// maps stays an ordinary entry.
fn apply_merges(entries: Vec<(Key, Node)>, merge: &[bool]) -> Vec<(Key, Node)> {
    if !merge.contains(&true) {
        return entries;
    }
    let mut sources: Vec<Node> = Vec::new();
    let mut own = Vec::with_capacity(entries.len());
    for ((key, value), &is_merge) in entries.into_iter().zip(merge) {
        let is_map = |n: &Node| matches!(n.value, Value::Map(_));
        match &value.value {
            Value::Map(_) if is_merge => sources.push(value),
            Value::List(items) if is_merge && items.iter().all(is_map) => {
                sources.extend(items.iter().cloned());
            }
            _ => own.push((key, value)),
        }
    }
    let mut taken: HashSet<Arc<str>> = own.iter().map(|(k, _)| k.name.clone()).collect();
    let mut out = Vec::new();
    for source in &sources {
        let mut given = Vec::new();
        for (key, value) in source.entries() {
            if !taken.contains(&key.name) {
                out.push((key.clone(), value.clone()));
                given.push(key.name.clone());
            }
        }
        taken.extend(given);
    }
    out.extend(own);
    out
}

/// Skips node properties (`&anchor`, `!tag`), whitespace and comments from `pos`, up to `limit`.
fn skip_props(text: &str, mut pos: usize, limit: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < limit {
        let Some(&b) = bytes.get(pos) else { break };
        let skip_until = |pos: usize, stop: &dyn Fn(u8) -> bool| {
            pos + bytes
                .get(pos..limit)
                .map_or(0, |rest| rest.iter().take_while(|&&b| !stop(b)).count())
        };
        pos = match b {
            b' ' | b'\t' | b'\r' | b'\n' => pos + 1,
            b'#' => skip_until(pos, &|b| b == b'\n'),
            b'!' if bytes.get(pos + 1) == Some(&b'<') => skip_until(pos, &|b| b == b'>') + 1,
            b'&' | b'!' => skip_until(pos, &|b| {
                b.is_ascii_whitespace() || matches!(b, b',' | b'[' | b']' | b'{' | b'}')
            }),
            _ => break,
        };
    }
    pos.min(limit)
}

/// Finds a block scalar's `|` or `>` between the previous event and the scalar's end.
fn block_indicator(text: &str, mut pos: usize, limit: usize) -> Option<usize> {
    loop {
        pos = skip_props(text, pos, limit);
        match text.as_bytes().get(pos) {
            _ if pos >= limit => return None,
            Some(b'|' | b'>') => return Some(pos),
            Some(b':' | b'-' | b'?') => pos += 1,
            _ => return None,
        }
    }
}

/// End of `text[start..end]` without trailing whitespace.
/// The offset just past the quote that closes a quoted scalar starting at `start`.
fn closing_quote(text: &str, start: usize, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start).filter(|b| matches!(b, b'"' | b'\''))?;
    let mut i = start + 1;
    while i < end.min(bytes.len()) {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text.get(start..end).map_or(0, |s| s.trim_end().len())
}

/// The tab a tab error is about: in the whitespace just before `at`, else the next one after.
fn tab_near(text: &str, at: usize) -> Option<usize> {
    let before = text.get(..at)?;
    let blank = before.len() - before.trim_end_matches([' ', '\t']).len();
    let run = at - blank;
    text.get(run..at)?
        .find('\t')
        .map(|i| run + i)
        .or_else(|| text.get(at..)?.find('\t').map(|i| at + i))
}

/// A scalar's value: YAML 1.2 core schema for untagged plain scalars, strings for quoted and
/// block scalars and unknown tags. `Err` names the core tag the text does not fit.
fn resolve(raw: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, &'static str> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain {
            core(raw)
        } else {
            Value::Str(raw.into())
        });
    };
    match core_name(tag) {
        Some("null") => is_null(raw).then_some(Value::Null).ok_or("!!null"),
        Some("bool") => parse_bool(raw).map(Value::Bool).ok_or("!!bool"),
        Some("int") => parse_int(raw).ok_or("!!int"),
        Some("float") => parse_float(raw)
            .or_else(|| match parse_int(raw) {
                Some(Value::Int(i)) => Some(i as f64),
                Some(Value::Float(f)) => Some(f),
                _ => None,
            })
            .map(Value::Float)
            .ok_or("!!float"),
        _ => Ok(Value::Str(raw.into())),
    }
}

/// The name of a `tag:yaml.org,2002:` tag (`!!int` → `int`); `None` for other tags.
fn core_name(tag: &Tag) -> Option<&str> {
    match tag.handle.as_str() {
        CORE_TAG => Some(&tag.suffix),
        // A verbatim tag `!<tag:yaml.org,2002:str>` comes whole in the suffix.
        "" => tag.suffix.strip_prefix(CORE_TAG),
        _ => None,
    }
}

fn core(raw: &str) -> Value {
    if is_null(raw) {
        Value::Null
    } else if let Some(b) = parse_bool(raw) {
        Value::Bool(b)
    } else if let Some(value) = parse_int(raw) {
        value
    } else if let Some(f) = parse_float(raw) {
        Value::Float(f)
    } else {
        Value::Str(raw.into())
    }
}

fn is_null(raw: &str) -> bool {
    matches!(raw, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(raw: &str) -> Option<bool> {
    match raw {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`. Past i64: a float if finite, else the text.
fn parse_int(raw: &str) -> Option<Value> {
    let (digits, radix) = if let Some(d) = raw.strip_prefix("0x") {
        (d, 16)
    } else if let Some(d) = raw.strip_prefix("0o") {
        (d, 8)
    } else {
        (raw.strip_prefix(['-', '+']).unwrap_or(raw), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let parsed = if radix == 10 {
        raw.parse::<i64>()
    } else {
        i64::from_str_radix(digits, radix)
    };
    Some(match parsed {
        Ok(i) => Value::Int(i),
        Err(_) => {
            let f = if radix == 10 {
                raw.parse::<f64>().unwrap_or(f64::INFINITY)
            } else {
                digits.chars().fold(0.0, |acc, c| {
                    acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
                })
            };
            if f.is_finite() {
                Value::Float(f)
            } else {
                Value::Str(raw.into())
            }
        }
    })
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.inf`, `.nan` (three casings).
fn parse_float(raw: &str) -> Option<f64> {
    if matches!(raw, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let body = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return Some(if raw.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    let valid = digits(whole)
        && digits(fraction)
        && !(whole.is_empty() && fraction.is_empty())
        && exponent.is_none_or(|e| !e.is_empty() && digits(e));
    if valid { raw.parse().ok() } else { None }
}

/// Converts saphyr's character indices to byte offsets.
///
/// Indices arrive nearly in order, so a cursor walks from the last answer; a far jump (either
/// way) restarts from a checkpoint kept every `STRIDE` characters. ASCII text needs neither.
struct CharOffsets<'a> {
    text: &'a str,
    /// Characters in the text; `None` when ASCII (index = offset).
    chars: Option<usize>,
    checkpoints: Vec<usize>,
    cursor: (usize, usize),
}

const STRIDE: usize = 1024;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let mut checkpoints = Vec::new();
        let mut chars = None;
        if !text.is_ascii() {
            let mut count = 0;
            for (n, (byte, _)) in text.char_indices().enumerate() {
                if n % STRIDE == 0 {
                    checkpoints.push(byte);
                }
                count = n + 1;
            }
            chars = Some(count);
        }
        CharOffsets {
            text,
            chars,
            checkpoints,
            cursor: (0, 0),
        }
    }

    fn byte(&mut self, index: usize) -> usize {
        let Some(chars) = self.chars else {
            return index.min(self.text.len());
        };
        if index >= chars {
            return self.text.len();
        }
        let (mut at, mut byte) = self.cursor;
        if index.abs_diff(at) > STRIDE {
            at = index / STRIDE * STRIDE;
            byte = self.checkpoints.get(index / STRIDE).copied().unwrap_or(0);
        }
        let width = |c: char| c.len_utf8();
        if index >= at {
            let rest = self.text.get(byte..).unwrap_or("");
            byte += rest.chars().take(index - at).map(width).sum::<usize>();
        } else {
            let before = self.text.get(..byte).unwrap_or("");
            byte -= before
                .chars()
                .rev()
                .take(at - index)
                .map(width)
                .sum::<usize>();
        }
        self.cursor = (index, byte);
        byte
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    use crate::parse::testing::line_col;

    fn load(text: &str) -> (SourceFile, Parsed) {
        crate::parse::testing::parse_as(parse, "t.yaml", text)
    }

    /// The single root of a document that must parse cleanly.
    fn root(text: &str) -> (SourceFile, Node) {
        crate::parse::testing::parse_clean(parse, "t.yaml", text)
    }

    fn key<'n>(node: &'n Node, name: &str) -> &'n Key {
        &node
            .entries()
            .iter()
            .rev()
            .find(|(k, _)| &*k.name == name)
            .unwrap()
            .0
    }

    fn error(text: &str) -> ParseError {
        let (_, parsed) = load(text);
        assert!(parsed.roots.is_empty(), "{:?}", parsed.roots);
        parsed.errors.into_iter().next().expect("an error")
    }

    #[test]
    fn positions_of_keys_nested_values_and_list_items() {
        let (file, doc) =
            root("name: app\nspec:\n  image: nginx:1.25\n  ports:\n    - 80\n    - \"443\"\n");
        assert_eq!(line_col(&key(&doc, "spec").span), (2, 1));
        let spec = doc.get("spec").unwrap();
        assert_eq!(line_col(&key(spec, "image").span), (3, 3));
        let image = doc.get_path("spec.image").unwrap();
        assert_eq!(image.as_str(), Some("nginx:1.25"));
        assert_eq!(line_col(&image.span), (3, 10));
        assert_eq!(file.slice(&image.span), "nginx:1.25");
        let second = doc.get_path("spec.ports.1").unwrap();
        assert_eq!(line_col(&second.span), (6, 7));
        assert_eq!(file.slice(&second.span), "\"443\"", "quotes included");
        assert_eq!(second.as_str(), Some("443"));
        assert_eq!(doc.get_path("spec.ports.0").unwrap().value, Value::Int(80));
    }

    #[test]
    fn block_collections_end_at_their_last_value() {
        let (file, doc) =
            root("a:\n  b: 1   # note\n  c: [x, y]  # more\n\n# trailing\nz: |\n  text\n\n");
        let a = doc.get("a").unwrap();
        assert_eq!(file.slice(&a.span), "b: 1   # note\n  c: [x, y]");
        assert_eq!(file.slice(&a.get("c").unwrap().span), "[x, y]");
        assert_eq!(file.slice(&doc.get("z").unwrap().span), "|\n  text");
        assert!(
            file.slice(&doc.span).starts_with("a:\n") && file.slice(&doc.span).ends_with("text")
        );
        let (file, list) = root("- a\n- b: 1\n  c: 2\n# end\n");
        assert_eq!(file.slice(&list.span), "- a\n- b: 1\n  c: 2");
        assert_eq!(file.slice(&list.items()[1].span), "b: 1\n  c: 2");
    }

    #[test]
    fn flow_collections_include_their_brackets() {
        let (file, doc) = root("m: {a: 1, b: [x, y: z]}  # c\n");
        let m = doc.get("m").unwrap();
        assert_eq!(file.slice(&m.span), "{a: 1, b: [x, y: z]}");
        assert_eq!(file.slice(&m.get("b").unwrap().span), "[x, y: z]");
        let pair = m.get_path("b.1").unwrap();
        assert_eq!(
            file.slice(&pair.span),
            "y: z",
            "an implicit flow pair is a map"
        );
    }

    #[test]
    fn block_scalars_span_from_indicator_to_content_end() {
        let (file, doc) = root(
            "a: |\n  one\n  two\nb: >-  # folded | not here\n\n  three\nc: !!str &t |+\n  four\n\nd: |\ne: 1\n",
        );
        assert_eq!(file.slice(&doc.get("a").unwrap().span), "|\n  one\n  two");
        assert_eq!(doc.get("a").unwrap().as_str(), Some("one\ntwo\n"));
        let b = doc.get("b").unwrap();
        assert_eq!(file.slice(&b.span), ">-  # folded | not here\n\n  three");
        assert_eq!(line_col(&b.span), (4, 4));
        assert_eq!(file.slice(&doc.get("c").unwrap().span), "|+\n  four");
        let d = doc.get("d").unwrap();
        assert_eq!((file.slice(&d.span), d.as_str()), ("|", Some("")));
        let (file, doc) = root("--- |\n  root text\n");
        assert_eq!(file.slice(&doc.span), "|\n  root text");
    }

    #[test]
    fn properties_are_not_part_of_a_scalar_span() {
        let (file, doc) = root("a: &x !!str value\nb: !custom &y 'q'\nc: !!null\n");
        assert_eq!(file.slice(&doc.get("a").unwrap().span), "value");
        assert_eq!(file.slice(&doc.get("b").unwrap().span), "'q'");
        assert_eq!(doc.get("c").unwrap().value, Value::Null);
        assert_eq!(file.slice(&doc.get("c").unwrap().span), "!!null");
    }

    #[test]
    fn every_document_of_a_stream_is_a_root() {
        let (file, parsed) = load("a: 1\n---\nkind: Service\nname: web\n...\n---\n- x\n");
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.roots.len(), 3);
        let second = &parsed.roots[1];
        assert_eq!(line_col(&key(second, "name").span), (4, 1));
        assert_eq!(file.slice(&second.get("name").unwrap().span), "web");
        assert_eq!(parsed.roots[2].items().len(), 1);
    }

    #[test]
    fn empty_documents_are_null_and_an_empty_stream_has_none() {
        let (file, parsed) = load("---\n---\na: 1\n--- # nothing\n");
        assert!(parsed.errors.is_empty());
        let values: Vec<_> = parsed.roots.iter().map(|r| r.type_name()).collect();
        assert_eq!(values, ["null", "map", "null"]);
        assert_eq!(file.slice(&parsed.roots[0].span), "---");
        assert_eq!(line_col(&parsed.roots[2].span), (4, 1));
        for text in ["", "# only a comment\n\n", "\n\n   \n"] {
            let (_, parsed) = load(text);
            assert!(
                parsed.roots.is_empty() && parsed.errors.is_empty(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn multibyte_text_before_a_key_gives_byte_offsets() {
        let (file, doc) = root("title: é😀中文\nnext: v\n");
        let next = key(&doc, "next");
        assert_eq!(line_col(&next.span), (2, 1));
        assert_eq!(next.span.start.offset, "title: é😀中文\n".len());
        let title = doc.get("title").unwrap();
        assert_eq!(file.slice(&title.span), "é😀中文");
        let (file, doc) = root("é: 😀\n  # 中\n中文: {k: é}\n");
        let inner = doc.get_path("中文.k").unwrap();
        assert_eq!(file.slice(&inner.span), "é");
        assert_eq!(line_col(&inner.span), (3, 9));
    }

    #[test]
    fn char_offsets_survive_jumps_both_ways() {
        let text: String = (0..5000)
            .map(|i| ['a', 'é', '😀', '中', '\n'][i % 5])
            .collect();
        let naive: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        let mut offsets = CharOffsets::new(&text);
        let mut index: usize = 17;
        for step in 0..3000 {
            // Mostly forward, sometimes back a little, sometimes far either way.
            index = match step % 7 {
                0 => index.saturating_sub(3),
                3 => (index * 7919) % naive.len(),
                _ => (index + 5) % naive.len(),
            };
            assert_eq!(offsets.byte(index), naive[index], "char {index}");
        }
        assert_eq!(offsets.byte(naive.len() + 10), text.len());
    }

    #[test]
    fn a_byte_order_mark_keeps_offsets_in_bytes() {
        let (file, doc) = root("\u{feff}a: 1\nb: é\n");
        let a = key(&doc, "a");
        assert_eq!(a.span.start.offset, 3);
        assert_eq!(file.slice(&a.span), "a");
        assert_eq!(file.slice(&doc.get("b").unwrap().span), "é");
    }

    #[test]
    fn aliases_clone_the_anchored_node_with_its_spans() {
        let (file, doc) =
            root("base: &img\n  repo: nginx\nweb:\n  image: *img\n  tag: &t v1\n  again: *t\n");
        let cloned = doc.get_path("web.image").unwrap();
        assert_eq!(cloned, doc.get("base").unwrap());
        assert_eq!(line_col(&cloned.get("repo").unwrap().span), (2, 9));
        assert_eq!(file.slice(&doc.get_path("web.again").unwrap().span), "v1");
        // The map containing the alias still ends where the alias was written.
        let web = doc.get("web").unwrap();
        assert_eq!(
            file.slice(&web.span),
            "image: *img\n  tag: &t v1\n  again: *t"
        );
    }

    #[test]
    fn undefined_and_self_referencing_aliases_are_errors_at_the_alias() {
        let err = error("a: 1\nb: *missing\n");
        assert_eq!(line_col(&err.span), (2, 4));
        assert!(err.message.contains("*missing"), "{}", err.message);
        let (_, parsed) = load("a: &x 1\n---\nb: *x\n");
        assert_eq!(parsed.roots.len(), 1, "aliases do not cross documents");
        assert_eq!(line_col(&parsed.errors[0].span), (3, 4));
        let err = error("a: &x [1, *x]\n");
        assert!(err.message.contains("contains it"), "{}", err.message);
        assert_eq!(line_col(&err.span), (1, 11));
    }

    #[test]
    fn an_alias_bomb_is_an_error_and_returns_fast() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..12 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let started = Instant::now();
        let err = error(&text);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(
            err.message.starts_with("alias expansion exceeds"),
            "{}",
            err.message
        );
        assert_eq!(err.span.start.line, 7, "the alias where the budget ran out");
    }

    #[test]
    fn merge_keys_come_first_and_explicit_keys_win() {
        let (file, doc) = root(
            "x-base: &base\n  image: app\n  restart: always\nx-more: &more {restart: no, user: me}\nsvc:\n  <<: [*base, *more]\n  restart: on-failure\n  ports: [80]\n",
        );
        let svc = doc.get("svc").unwrap();
        let names: Vec<&str> = svc.entries().iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(
            names,
            ["image", "user", "restart", "ports"],
            "own keys are not merged"
        );
        assert_eq!(svc.get("restart").unwrap().as_str(), Some("on-failure"));
        assert_eq!(svc.get("user").unwrap().as_str(), Some("me"));
        // The merged value points where it was written.
        let image = svc.get("image").unwrap();
        assert_eq!(line_col(&image.span), (2, 10));
        // Earlier sources win over later ones.
        let (_, doc) = root("a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*a, *b]\n");
        let c = doc.get("c").unwrap();
        assert_eq!(c.get("k").unwrap().value, Value::Int(1));
        assert_eq!(c.entries().len(), 2);
        let (_, doc) = root("a: &a {k: 1}\nc:\n  <<: *a\n  z: 2\n");
        assert_eq!(
            doc.get("c").unwrap().to_json(),
            serde_json::json!({"k": 1, "z": 2})
        );
        // A quoted "<<" or a non-map value is an ordinary key.
        let (file2, doc) = root("'<<': {k: 1}\n<<: 5\n");
        assert_eq!(doc.entries().len(), 2);
        assert_eq!(file2.slice(&doc.entries()[0].0.span), "'<<'");
        assert!(file.slice(&svc.span).starts_with("<<:"));
    }

    #[test]
    fn duplicate_keys_are_kept_in_order_and_reported() {
        let (_, parsed) = crate::parse::testing::parse_as(
            parse,
            "t.yaml",
            "a: 1\nb: 2\na: 3\nm:\n  <<: {b: 1}\n  b: 2\n",
        );
        let [err] = parsed.errors.as_slice() else {
            panic!("one error expected: {:?}", parsed.errors);
        };
        assert_eq!(line_col(&err.span), (3, 1));
        assert!(
            err.message
                .starts_with("duplicate key `a` (first at line 1)")
        );
        let doc = &parsed.roots[0];
        assert_eq!(doc.get_path("m.b").map(|b| &b.value), Some(&Value::Int(2)));
        let entries: Vec<(&str, i64)> = doc
            .entries()
            .iter()
            .take(3)
            .map(|(k, v)| match v.value {
                Value::Int(i) => (&*k.name, i),
                _ => panic!("not an int"),
            })
            .collect();
        assert_eq!(entries, [("a", 1), ("b", 2), ("a", 3)]);
        assert_eq!(line_col(&doc.entries()[2].0.span), (3, 1));
    }

    #[test]
    fn scalar_text_is_kept_under_the_span() {
        let (file, doc) = root("version: 1.10\nkey_1.10: x\n");
        let version = doc.get("version").unwrap();
        assert_eq!(version.value, Value::Float(1.1));
        assert_eq!(file.slice(&version.span), "1.10");
        assert!(doc.get("key_1.10").is_some());
    }

    #[test]
    fn plain_scalars_follow_the_yaml_1_2_core_schema() {
        let cases: &[(&str, Value)] = &[
            ("~", Value::Null),
            ("null", Value::Null),
            ("NULL", Value::Null),
            ("True", Value::Bool(true)),
            ("FALSE", Value::Bool(false)),
            ("yes", Value::Str("yes".into())),
            ("on", Value::Str("on".into())),
            ("42", Value::Int(42)),
            ("-7", Value::Int(-7)),
            ("+7", Value::Int(7)),
            ("0x1F", Value::Int(31)),
            ("0o17", Value::Int(15)),
            ("017", Value::Int(17)),
            ("0b1", Value::Str("0b1".into())),
            ("99999999999999999999", Value::Float(1e20)),
            ("1.5", Value::Float(1.5)),
            ("-.5", Value::Float(-0.5)),
            ("1.", Value::Float(1.0)),
            ("1e3", Value::Float(1000.0)),
            ("-.inf", Value::Float(f64::NEG_INFINITY)),
            (".Inf", Value::Float(f64::INFINITY)),
            ("inf", Value::Str("inf".into())),
            ("1_000", Value::Str("1_000".into())),
            (".", Value::Str(".".into())),
            ("12:30", Value::Str("12:30".into())),
        ];
        for (text, expected) in cases {
            let (_, doc) = root(&format!("v: {text}\n"));
            assert_eq!(&doc.get("v").unwrap().value, expected, "{text}");
        }
        let (_, doc) = root("v: .nan\ne:\n");
        assert!(matches!(doc.get("v").unwrap().value, Value::Float(f) if f.is_nan()));
        assert_eq!(doc.get("e").unwrap().value, Value::Null);
        let huge = format!("v: 0x{}\n", "f".repeat(300));
        assert!(matches!(
            root(&huge).1.get("v").unwrap().value,
            Value::Str(_)
        ));
    }

    #[test]
    fn quoted_scalar_spans_stop_at_the_closing_quote() {
        let text = "a: \"true\" # note\nb: 'it''s' # more\nc: \"x\\\"y\"  # c\n";
        let (f, root) = root(text);
        assert_eq!(f.slice(&root.get("a").unwrap().span), "\"true\"");
        assert_eq!(f.slice(&root.get("b").unwrap().span), "'it''s'");
        assert_eq!(f.slice(&root.get("c").unwrap().span), "\"x\\\"y\"");
    }

    #[test]
    fn quoted_block_and_tagged_scalars() {
        let (_, doc) = root(
            "a: '1'\nb: \"true\"\nc: |\n  5\nd: !!str 5\ne: !!int \"5\"\nf: !!float 3\ng: !!bool 'true'\nh: !!null ''\ni: !Ref x\nj: !!binary aGk=\nk: !<tag:yaml.org,2002:int> '8'\nl: ! 12\n",
        );
        let value = |k: &str| doc.get(k).unwrap().value.clone();
        assert_eq!(value("a"), Value::Str("1".into()));
        assert_eq!(value("b"), Value::Str("true".into()));
        assert_eq!(value("c"), Value::Str("5\n".into()));
        assert_eq!(value("d"), Value::Str("5".into()));
        assert_eq!(value("e"), Value::Int(5));
        assert_eq!(value("f"), Value::Float(3.0));
        assert_eq!(value("g"), Value::Bool(true));
        assert_eq!(value("h"), Value::Null);
        assert_eq!(value("i"), Value::Str("x".into()));
        assert_eq!(value("j"), Value::Str("aGk=".into()));
        assert_eq!(value("k"), Value::Int(8));
        assert_eq!(value("l"), Value::Str("12".into()));
    }

    #[test]
    fn a_value_that_does_not_fit_its_tag_is_kept_and_reported() {
        let (file, parsed) = load("port: !!int eighty\n");
        assert_eq!(parsed.roots.len(), 1);
        let port = parsed.roots[0].get("port").unwrap();
        assert_eq!(port.as_str(), Some("eighty"));
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(file.slice(&parsed.errors[0].span), "eighty");
        assert!(parsed.errors[0].message.contains("!!int"));
    }

    #[test]
    fn complex_keys_are_named_by_their_source_text() {
        let (file, doc) = root("? [a, b]\n: 1\n{x: 1}: 2\n? - p\n  - q\n: 3\n");
        let names: Vec<&str> = doc.entries().iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(names, ["[a, b]", "{x: 1}", "- p\n  - q"]);
        assert_eq!(line_col(&doc.entries()[1].0.span), (3, 1));
        assert_eq!(file.slice(&doc.entries()[2].0.span), "- p\n  - q");
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let err = error("a: [a, b\n");
        assert!(err.message.contains("']'"), "{}", err.message);
        assert!(err.message.contains("line 1, column 4"), "{}", err.message);
        assert_eq!(line_col(&err.span), (2, 1));
        let err = error("a: 1\n b: 2\n");
        assert_eq!(line_col(&err.span), (2, 3));
        assert!(!err.message.contains("byte"), "{}", err.message);
        let err = error("a:\n  b: 1\n c: 2\n");
        assert_eq!(err.span.start.line, 3);
        let err = error("key: \"unterminated\n");
        assert_eq!(line_col(&err.span), (1, 6));
    }

    #[test]
    fn tab_indentation_is_an_error_at_the_tab() {
        let err = error("a:\n\tb: 1\n");
        assert_eq!(line_col(&err.span), (2, 1));
        assert!(err.message.contains("tab"));
        let err = error("a:\n  b: 1\n  \tc: 2\n");
        assert_eq!(line_col(&err.span), (3, 3));
    }

    #[test]
    fn documents_before_an_error_are_kept() {
        let (_, parsed) = load("a: 1\n---\nb: 2\n---\nc: [\n");
        assert_eq!(parsed.roots.len(), 2);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].span.start.line, 6);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let err = error(&"[".repeat(10_000));
        assert_eq!(err.span.start.line, 1);
        let block: String = (0..2000)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        let err = error(&block);
        assert!(err.message.contains("nesting"), "{}", err.message);
        let seq: String = (0..2000)
            .map(|i| format!("{}-\n", "  ".repeat(i)))
            .collect();
        assert!(error(&seq).message.contains("nesting"));
        // Nesting built through aliases counts too.
        let mut chain = String::from("l0: &l0 [x]\n");
        for i in 1..1500 {
            chain.push_str(&format!("l{i}: &l{i} [*l{}]\n", i - 1));
        }
        assert!(error(&chain).message.contains("nesting"));
        let ok: String = "[".repeat(100) + "]".repeat(100).as_str();
        assert_eq!(root(&ok).1.type_name(), "list");
    }
}

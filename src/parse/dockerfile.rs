//! Dockerfile adapter.
//!
//! A line lexer that follows BuildKit's parser: parser directives at the top, comments,
//! line continuations (comment and blank lines inside them skipped), heredocs on RUN/COPY/ADD.
//! Each instruction's arguments are then read the way Docker reads them (flags, JSON exec
//! form, `name=value` pairs). Unknown instructions are reported and left out; the rest of the
//! file is still returned.

use std::ops::Range;

use super::{ParseError, Parsed, sub};
use crate::model::{Key, Node, Pos, SourceFile, Span, Value};

const KEYWORDS: [&str; 18] = [
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];
/// Instructions whose arguments may be a JSON array.
const EXEC_FORM: [&str; 7] = ["RUN", "CMD", "ENTRYPOINT", "SHELL", "VOLUME", "COPY", "ADD"];
/// Instructions that may carry heredocs (as in BuildKit).
const HEREDOC: [&str; 3] = ["RUN", "COPY", "ADD"];

pub fn parse(file: &SourceFile) -> Parsed {
    let mut lexer = Lexer::new(file);
    let root = lexer.run();
    Parsed {
        roots: vec![root],
        errors: lexer.errors,
    }
}

/// One instruction with its continuation lines joined, as Docker joins them, and a map back
/// to the source so every piece of the joined text keeps its exact span.
struct Logical {
    text: String,
    /// `(text offset, source offset)` where each copied run of source text starts.
    runs: Vec<(usize, usize)>,
    /// Source offset where the instruction's last line ends.
    end: usize,
}

impl Logical {
    fn push(&mut self, source: &str, range: Range<usize>) {
        let piece = sub(source, range.clone());
        if !piece.is_empty() {
            self.runs.push((self.text.len(), range.start));
            self.text.push_str(piece);
        }
    }

    /// Source offset of a text offset.
    fn src(&self, i: usize) -> usize {
        let k = self.runs.partition_point(|&(t, _)| t <= i);
        match k.checked_sub(1).and_then(|k| self.runs.get(k)) {
            Some(&(t, s)) => s + (i - t),
            None => self.end,
        }
    }

    /// Source range of a text range; it covers the continuations it crosses.
    fn src_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.src(r.start);
        let end = if r.end > r.start {
            self.src(r.end - 1) + 1
        } else {
            start
        };
        start..end
    }
}

/// What an instruction line parsed into, before heredocs and its final span are known.
struct Inst {
    keyword: &'static str,
    kw_span: Span,
    text: Range<usize>,
    entries: Vec<(Key, Node)>,
    from: Option<FromInfo>,
}

struct FromInfo {
    image: Node,
    tag: Node,
    digest: Node,
    platform: Node,
    raw: Node,
    name: Option<(String, Span)>,
}

struct Built {
    node: Node,
    kw_span: Span,
    from: Option<FromInfo>,
}

struct Flag {
    word: Range<usize>,
    name: String,
    name_range: Range<usize>,
    value: Option<(String, Range<usize>)>,
}

struct Heredoc {
    word_span: Span,
    delimiter: Node,
    name: String,
    chomp: bool,
}

struct Lexer<'a> {
    file: &'a SourceFile,
    text: &'a str,
    /// Where the text starts after a byte-order mark.
    bom: usize,
    /// Each line's content: no line break, no trailing `\r`.
    lines: Vec<Range<usize>>,
    next: usize,
    escape: char,
    /// Last computed position; nearby positions on the same line are counted from it, so
    /// many spans on one long line stay linear (`SourceFile::pos` counts from the line start).
    cursor: Pos,
    errors: Vec<ParseError>,
}

impl<'a> Lexer<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let text: &str = &file.text;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let mut lines = Vec::new();
        let mut start = bom;
        loop {
            let rest = sub(text, start..text.len());
            let end = rest.find('\n').map_or(text.len(), |i| start + i);
            let content = sub(text, start..end).trim_end_matches('\r');
            lines.push(start..start + content.len());
            start = end + 1;
            // A final line break does not start another line (as with Go's line scanner).
            if start >= text.len() {
                break;
            }
        }
        Lexer {
            file,
            text,
            bom,
            lines,
            next: 0,
            escape: '\\',
            cursor: Pos {
                offset: 0,
                line: 1,
                column: 1,
            },
            errors: Vec::new(),
        }
    }

    fn pos(&mut self, offset: usize) -> Pos {
        self.cursor = self.file.pos_from(self.cursor, offset);
        self.cursor
    }

    fn span(&mut self, r: Range<usize>) -> Span {
        let start = self.pos(r.start);
        let end = self.pos(r.end.max(r.start));
        Span {
            source: self.file.id,
            start,
            end,
        }
    }

    fn lspan(&mut self, lg: &Logical, r: Range<usize>) -> Span {
        let r = lg.src_range(r);
        self.span(r)
    }

    fn error(&mut self, message: String, span: Span) {
        self.errors.push(ParseError { message, span });
    }

    fn next_line(&mut self) -> Option<Range<usize>> {
        let line = self.lines.get(self.next).cloned()?;
        self.next += 1;
        Some(line)
    }

    fn run(&mut self) -> Node {
        let mut directives = Vec::new();
        let mut directives_open = true;
        let mut built = Vec::new();
        while let Some(line) = self.next_line() {
            let s = sub(self.text, line.clone());
            let t = line.end - s.trim_start().len()..line.end;
            if directives_open {
                if self.directive(t.clone(), &mut directives) {
                    continue;
                }
                // Docker stops looking for directives at the first other line of any kind.
                directives_open = false;
            }
            let content = sub(self.text, t.clone());
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let lg = self.logical(t);
            if lg.text.trim().is_empty() {
                continue;
            }
            if let Some(inst) = self.instruction(&lg, 0, false) {
                built.push(self.finish(&lg, inst));
            }
        }
        self.assemble(directives, built)
    }

    /// Reads a parser directive (`# escape=...`); false when the line is not one.
    fn directive(&mut self, t: Range<usize>, found: &mut Vec<(Key, Node)>) -> bool {
        let Some((name_r, value_r)) = match_directive(self.text, t) else {
            return false;
        };
        let name = sub(self.text, name_r.clone()).to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") {
            return false;
        }
        let key_span = self.span(name_r);
        let value = sub(self.text, value_r.clone());
        let value_span = self.span(value_r);
        if found.iter().any(|(k, _)| *k.name == *name) {
            self.error(
                format!("only one `{name}` parser directive is allowed"),
                key_span,
            );
            return true;
        }
        if name == "escape" {
            match value {
                "\\" => self.escape = '\\',
                "`" => self.escape = '`',
                _ => self.error(
                    format!("the escape directive must be `\\` or a backtick, found `{value}`"),
                    value_span,
                ),
            }
        }
        found.push((Key::new(name, key_span), Node::str(value, value_span)));
        true
    }

    /// Joins an instruction's continuation lines, starting from its first line.
    fn logical(&mut self, first: Range<usize>) -> Logical {
        let text = self.text;
        let mut lg = Logical {
            text: String::new(),
            runs: Vec::new(),
            end: first.end,
        };
        let (keep, mut more) = self.continuation(first);
        // The continuation's escape sits right after the kept text.
        let mut escape_at = keep.end;
        lg.push(text, keep);
        while more {
            let Some(line) = self.next_line() else {
                // Docker ends the instruction at the end of the file; the command it runs is
                // likely cut short (`apt-get update && \`).
                if lg.text.trim().is_empty() {
                    break;
                }
                let escape = self.escape;
                self.error(
                    format!("the file ends after a line continuation `{escape}`: the instruction ends here, and may be cut short"),
                    self.file.span(escape_at..escape_at + escape.len_utf8()),
                );
                break;
            };
            let t = sub(text, line.clone()).trim_start();
            // Docker skips comment and blank lines inside a continuation.
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let keep;
            (keep, more) = self.continuation(line.clone());
            escape_at = keep.end;
            lg.push(text, keep);
            lg.end = line.end;
        }
        lg
    }

    /// The part of a line to keep, and whether it ends with a line continuation.
    fn continuation(&self, r: Range<usize>) -> (Range<usize>, bool) {
        let s = sub(self.text, r.clone());
        match s.trim_end_matches([' ', '\t']).strip_suffix(self.escape) {
            Some(kept) => (r.start..r.start + kept.len(), true),
            None => (r, false),
        }
    }

    /// Parses the instruction starting at text offset `at` (an ONBUILD trigger is `nested`).
    fn instruction(&mut self, lg: &Logical, at: usize, nested: bool) -> Option<Inst> {
        let line = lg.text.as_str();
        let kw_start = skip_space(line, at);
        let kw_end = find_ws(line, kw_start);
        let word = sub(line, kw_start..kw_end);
        let kw_span = self.lspan(lg, kw_start..kw_end);
        let upper = word.to_ascii_uppercase();
        let Some(&keyword) = KEYWORDS.iter().find(|k| **k == upper) else {
            let shown = shorten(word);
            let message = match suggest(&upper) {
                Some(k) => format!("unknown instruction `{shown}`; did you mean `{k}`?"),
                None => format!("unknown instruction `{shown}`"),
            };
            self.error(message, kw_span);
            return None;
        };
        if nested && matches!(keyword, "ONBUILD" | "FROM" | "MAINTAINER") {
            self.error(
                format!("`{keyword}` isn't allowed as an ONBUILD trigger"),
                kw_span,
            );
        }
        let rest = skip_space(line, kw_end);
        let (flags, after) = take_flags(line, rest);
        let text = trim_range(line, after..line.len());
        let flags = self.flags_node(lg, &flags, rest);
        let text_str = sub(line, text.clone());
        let text_span = self.lspan(lg, text.clone());
        let exec_capable = EXEC_FORM.contains(&keyword);
        let (args, exec) = if exec_capable {
            self.command_args(lg, text.clone(), text_span)
        } else {
            (self.words(lg, text.clone(), text_span), false)
        };
        if keyword == "SHELL" && !exec {
            self.error(
                "SHELL needs a JSON array, such as [\"/bin/sh\", \"-c\"]".into(),
                text_span,
            );
        }
        let mut e = vec![
            entry("cmd", Node::str(keyword, kw_span)),
            entry("flags", flags.clone()),
            entry("args", args.clone()),
            entry("text", Node::str(text_str, text_span)),
        ];
        if exec_capable {
            e.push(entry("exec_form", Node::new(Value::Bool(exec), text_span)));
        }
        let mut from = None;
        match keyword {
            "FROM" => from = Some(self.base_image(lg, text.clone(), kw_span, &flags, &mut e)),
            "ENV" | "LABEL" | "ARG" => {
                let vars = self.vars(lg, text.clone(), keyword, text_span, kw_span);
                e.push(entry("vars", vars));
            }
            "USER" => self.user(lg, text.clone(), text_span, kw_span, &mut e),
            "EXPOSE" => e.push(entry("ports", args)),
            "HEALTHCHECK" => self.healthcheck(lg, text.clone(), kw_span, &mut e),
            // A nested ONBUILD is an error (above); its own trigger is not read, so nesting
            // never goes deeper than one level.
            "ONBUILD" if !nested => {
                let trigger = if text.is_empty() {
                    self.error("ONBUILD needs an instruction to run later".into(), kw_span);
                    None
                } else {
                    self.instruction(lg, text.start, true)
                };
                let node = match trigger {
                    Some(t) => Node::map(t.entries, t.kw_span.to(&text_span)),
                    None => Node::null(text_span),
                };
                e.push(entry("trigger", node));
            }
            _ => {}
        }
        Some(Inst {
            keyword,
            kw_span,
            text,
            entries: e,
            from,
        })
    }

    fn flags_node(&mut self, lg: &Logical, flags: &[Flag], at: usize) -> Node {
        let mut entries = Vec::new();
        for f in flags {
            let word_span = self.lspan(lg, f.word.clone());
            let name_span = self.lspan(lg, f.name_range.clone());
            let value = match &f.value {
                Some((v, r)) => Node::str(v.as_str(), self.lspan(lg, r.clone())),
                None => Node::new(Value::Bool(true), word_span),
            };
            entries.push((Key::new(f.name.as_str(), name_span), value));
        }
        let span = match (flags.first(), flags.last()) {
            (Some(a), Some(z)) => self.lspan(lg, a.word.start..z.word.end),
            _ => self.lspan(lg, at..at),
        };
        Node::map(entries, span)
    }

    /// Exec form when the text is a JSON array of strings, else the shell form's words.
    fn command_args(&mut self, lg: &Logical, text: Range<usize>, span: Span) -> (Node, bool) {
        let s = sub(&lg.text, text.clone());
        if s.starts_with('[')
            && let Some(items) = json_strings(s)
        {
            let nodes = items
                .into_iter()
                .map(|(value, r)| {
                    let span = self.lspan(lg, text.start + r.start..text.start + r.end);
                    Node::str(value, span)
                })
                .collect();
            return (Node::list(nodes, span), true);
        }
        (self.words(lg, text, span), false)
    }

    fn words(&mut self, lg: &Logical, text: Range<usize>, span: Span) -> Node {
        let line = lg.text.as_str();
        let nodes = split_words(sub(line, text.clone()))
            .into_iter()
            .map(|r| {
                let r = text.start + r.start..text.start + r.end;
                Node::str(sub(line, r.clone()), self.lspan(lg, r))
            })
            .collect();
        Node::list(nodes, span)
    }

    fn base_image(
        &mut self,
        lg: &Logical,
        text: Range<usize>,
        kw_span: Span,
        flags: &Node,
        e: &mut Vec<(Key, Node)>,
    ) -> FromInfo {
        let line = lg.text.as_str();
        let words: Vec<Range<usize>> = split_words(sub(line, text.clone()))
            .into_iter()
            .map(|r| text.start + r.start..text.start + r.end)
            .collect();
        let named = words.len() == 3
            && words
                .get(1)
                .is_some_and(|w| sub(line, w.clone()).eq_ignore_ascii_case("as"));
        if words.is_empty() {
            self.error("FROM needs an image".into(), kw_span);
        } else if words.len() != 1 && !named {
            let span = self.lspan(lg, text.clone());
            self.error(
                format!(
                    "expected `FROM image` or `FROM image AS name`, found {} words",
                    words.len()
                ),
                span,
            );
        }
        let (raw, image, tag, digest) = match words.first() {
            Some(w) => {
                let r = sub(line, w.clone());
                let (image_end, tag, digest) = split_image(r);
                let image_span = self.lspan(lg, w.start..w.start + image_end);
                let mut raw_span = image_span;
                let mut part = |lexer: &mut Self, p: Option<Range<usize>>| {
                    p.map(|p| {
                        let span = lexer.lspan(lg, w.start + p.start..w.start + p.end);
                        raw_span = raw_span.to(&span);
                        (sub(r, p).to_string(), span)
                    })
                };
                let tag = part(self, tag);
                let digest = part(self, digest);
                let opt = |p: Option<(String, Span)>| match p {
                    Some((s, span)) => Node::str(s, span),
                    None => Node::null(raw_span),
                };
                (
                    Node::str(r, raw_span),
                    Node::str(sub(r, 0..image_end), image_span),
                    opt(tag),
                    opt(digest),
                )
            }
            None => (
                Node::null(kw_span),
                Node::null(kw_span),
                Node::null(kw_span),
                Node::null(kw_span),
            ),
        };
        let platform = flags
            .get("platform")
            .cloned()
            .unwrap_or_else(|| Node::null(raw.span));
        let name = match words.get(2) {
            Some(w) if named => Some((sub(line, w.clone()).to_string(), self.lspan(lg, w.clone()))),
            _ => None,
        };
        let stage_name = match &name {
            Some((n, span)) => Node::str(n.as_str(), *span),
            None => Node::null(raw.span),
        };
        e.push(entry("image", image.clone()));
        e.push(entry("tag", tag.clone()));
        e.push(entry("digest", digest.clone()));
        e.push(entry("platform", platform.clone()));
        e.push(entry("stage_name", stage_name));
        FromInfo {
            image,
            tag,
            digest,
            platform,
            raw,
            name,
        }
    }

    /// ENV / LABEL / ARG pairs, read as Docker's `parseNameVal` / `parseNameOrNameVal` do.
    fn vars(
        &mut self,
        lg: &Logical,
        text: Range<usize>,
        keyword: &str,
        span: Span,
        kw_span: Span,
    ) -> Node {
        let line = lg.text.as_str();
        let words: Vec<Range<usize>> = shell_words(sub(line, text.clone()), self.escape)
            .into_iter()
            .map(|r| text.start + r.start..text.start + r.end)
            .collect();
        let mut entries = Vec::new();
        if words.is_empty() {
            self.error(format!("{keyword} needs at least one argument"), kw_span);
        }
        let legacy = keyword != "ARG"
            && words
                .first()
                .is_some_and(|w| !sub(line, w.clone()).contains('='));
        if legacy {
            // `ENV NAME value with spaces`: the name is the first word, the value the rest.
            let name_end = find_ws(line, text.start);
            let value_start = skip_ws(line, name_end);
            if value_start >= text.end {
                let name_span = self.lspan(lg, text.start..name_end);
                self.error(
                    format!("`{keyword} NAME` needs a value: write `{keyword} NAME=value`"),
                    name_span,
                );
            } else {
                let kv = self.pair(lg, text.start..name_end, Some(value_start..text.end));
                entries.push(kv);
            }
        } else {
            for w in words {
                let raw = sub(line, w.clone());
                match raw.find('=') {
                    Some(i) => {
                        let kv = self.pair(lg, w.start..w.start + i, Some(w.start + i + 1..w.end));
                        entries.push(kv);
                    }
                    None if keyword == "ARG" => entries.push(self.pair(lg, w, None)),
                    None => {
                        let word_span = self.lspan(lg, w.clone());
                        self.error(
                            format!("expected `name=value`, found `{}`", shorten(raw)),
                            word_span,
                        );
                    }
                }
            }
        }
        Node::map(entries, span)
    }

    fn pair(
        &mut self,
        lg: &Logical,
        key: Range<usize>,
        value: Option<Range<usize>>,
    ) -> (Key, Node) {
        let line = lg.text.as_str();
        let key_span = self.lspan(lg, key.clone());
        let name = unquote(sub(line, key), self.escape);
        let value = match value {
            Some(v) => {
                let s = unquote(sub(line, v.clone()), self.escape);
                Node::str(s, self.lspan(lg, v))
            }
            None => Node::null(key_span),
        };
        (Key::new(name, key_span), value)
    }

    fn user(
        &mut self,
        lg: &Logical,
        text: Range<usize>,
        span: Span,
        kw_span: Span,
        e: &mut Vec<(Key, Node)>,
    ) {
        let s = sub(&lg.text, text.clone());
        let (user, group) = if s.is_empty() {
            (Node::null(kw_span), Node::null(kw_span))
        } else if let Some(i) = s.find(':') {
            let user_span = self.lspan(lg, text.start..text.start + i);
            let group_span = self.lspan(lg, text.start + i + 1..text.end);
            (
                Node::str(sub(s, 0..i), user_span),
                Node::str(sub(s, i + 1..s.len()), group_span),
            )
        } else {
            (Node::str(s, span), Node::null(span))
        };
        e.push(entry("user", user));
        e.push(entry("group", group));
    }

    fn healthcheck(
        &mut self,
        lg: &Logical,
        text: Range<usize>,
        kw_span: Span,
        e: &mut Vec<(Key, Node)>,
    ) {
        let line = lg.text.as_str();
        let first = split_words(sub(line, text.clone()))
            .first()
            .map(|r| text.start + r.start..text.start + r.end);
        let (word, span) = match &first {
            Some(r) => (sub(line, r.clone()), self.lspan(lg, r.clone())),
            None => ("", kw_span),
        };
        let none = word.eq_ignore_ascii_case("NONE");
        e.push(entry("none", Node::new(Value::Bool(none), span)));
        match first {
            Some(r) if word.eq_ignore_ascii_case("CMD") => {
                let rest = trim_range(line, r.end..text.end);
                let rest_span = self.lspan(lg, rest.clone());
                let (command, exec) = self.command_args(lg, rest, rest_span);
                e.push(entry("command", command));
                e.push(entry("exec_form", Node::new(Value::Bool(exec), rest_span)));
            }
            _ if !none => {
                let message = if word.is_empty() {
                    "HEALTHCHECK needs `CMD command` or `NONE`".to_string()
                } else {
                    format!(
                        "expected `CMD` or `NONE` in HEALTHCHECK, found `{}`",
                        shorten(word)
                    )
                };
                self.error(message, span);
            }
            _ => {}
        }
    }

    /// Adds heredoc bodies (read from the following lines) and wraps the instruction node.
    fn finish(&mut self, lg: &Logical, mut inst: Inst) -> Built {
        let mut end = lg.end;
        if HEREDOC.contains(&inst.keyword) && sub(&lg.text, inst.text.clone()).contains("<<") {
            let found = self.find_heredocs(lg, inst.text.clone());
            if !found.is_empty() {
                let (node, heredoc_end) = self.read_heredocs(found, end);
                inst.entries.push(entry("heredocs", node));
                end = heredoc_end;
            }
        }
        let end_span = self.span(end..end);
        Built {
            node: Node::map(inst.entries, inst.kw_span.to(&end_span)),
            kw_span: inst.kw_span,
            from: inst.from,
        }
    }

    /// Heredoc words (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`) as BuildKit finds them.
    fn find_heredocs(&mut self, lg: &Logical, text: Range<usize>) -> Vec<Heredoc> {
        let s = sub(&lg.text, text.clone());
        let mut found = Vec::new();
        for w in shell_words(s, '\\') {
            let word = sub(s, w.clone());
            let digits = word.bytes().take_while(u8::is_ascii_digit).count();
            let Some(after) = word.get(digits..).and_then(|x| x.strip_prefix("<<")) else {
                continue;
            };
            let (chomp, rest) = match after.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, after),
            };
            if rest.is_empty() || rest.contains('<') {
                continue;
            }
            let word_r = text.start + w.start..text.start + w.end;
            let word_span = self.lspan(lg, word_r.clone());
            let delim_span = self.lspan(lg, word_r.end - rest.len()..word_r.end);
            let name = unquote(rest, '\\');
            found.push(Heredoc {
                word_span,
                delimiter: Node::str(name.as_str(), delim_span),
                name,
                chomp,
            });
        }
        found
    }

    /// Reads each heredoc's body in turn; returns the list and where the last one ends.
    fn read_heredocs(&mut self, found: Vec<Heredoc>, mut end: usize) -> (Node, usize) {
        let mut items = Vec::new();
        for h in found {
            let mut body = String::new();
            let mut lines: Option<Range<usize>> = None;
            let mut terminator = None;
            while let Some(line) = self.next_line() {
                let s = sub(self.text, line.clone());
                let content = if h.chomp {
                    s.trim_start_matches('\t')
                } else {
                    s
                };
                if content == h.name {
                    terminator = Some(line);
                    break;
                }
                body.push_str(content);
                body.push('\n');
                lines = Some(lines.map_or(line.clone(), |l| l.start..line.end));
            }
            let body_range = match (&lines, &terminator) {
                (Some(l), _) => l.clone(),
                (None, Some(t)) => t.start..t.start,
                (None, None) => self.text.len()..self.text.len(),
            };
            let body_span = self.span(body_range.clone());
            let item_end = match &terminator {
                Some(t) => t.end,
                None => {
                    self.error(
                        format!(
                            "unterminated heredoc: no line `{}` closes it before the end of the file",
                            shorten(&h.name)
                        ),
                        h.word_span,
                    );
                    body_range.end.max(end)
                }
            };
            end = end.max(item_end);
            let end_span = self.span(item_end..item_end);
            let entries = vec![
                entry("delimiter", h.delimiter),
                entry("body", Node::str(body, body_span)),
            ];
            items.push(Node::map(entries, h.word_span.to(&end_span)));
        }
        let span = match (items.first(), items.last()) {
            (Some(a), Some(z)) => a.span.to(&z.span),
            _ => self.span(end..end),
        };
        (Node::list(items, span), end)
    }

    fn assemble(&mut self, directives: Vec<(Key, Node)>, built: Vec<Built>) -> Node {
        let origin = self.span(self.bom..self.bom);
        let directives_span = match (directives.first(), directives.last()) {
            (Some(a), Some(z)) => a.0.span.to(&z.1.span),
            _ => origin,
        };

        // Each FROM opens a stage; later instructions belong to it.
        let mut groups: Vec<(usize, Vec<Node>)> = Vec::new();
        for (i, b) in built.iter().enumerate() {
            if b.from.is_some() {
                groups.push((i, Vec::new()));
            } else if let Some((_, members)) = groups.last_mut() {
                members.push(b.node.clone());
            }
        }
        let count = groups.len();
        let mut names: Vec<Option<String>> = Vec::new();
        let mut stages = Vec::new();
        for (index, (at, members)) in groups.into_iter().enumerate() {
            let Some(Built {
                node,
                kw_span,
                from: Some(info),
            }) = built.get(at)
            else {
                continue;
            };
            let mut from = vec![
                entry("image", info.image.clone()),
                entry("tag", info.tag.clone()),
                entry("digest", info.digest.clone()),
                entry("platform", info.platform.clone()),
                entry("raw", info.raw.clone()),
            ];
            // Stage names are case-insensitive in Docker.
            let raw = info.raw.as_str().map(str::to_ascii_lowercase);
            if let Some(j) = raw.and_then(|r| names.iter().rposition(|n| n.as_deref() == Some(&r)))
            {
                from.push(entry(
                    "stage",
                    Node::new(Value::Int(j as i64), info.image.span),
                ));
            }
            names.push(info.name.as_ref().map(|(n, _)| n.to_ascii_lowercase()));
            let name = match &info.name {
                Some((n, span)) => Node::str(n.as_str(), *span),
                None => Node::null(*kw_span),
            };
            let list_span = match (members.first(), members.last()) {
                (Some(a), Some(z)) => a.span.to(&z.span),
                _ => after(node.span),
            };
            let stage = vec![
                entry("name", name),
                entry("index", Node::new(Value::Int(index as i64), *kw_span)),
                entry(
                    "final",
                    Node::new(Value::Bool(index + 1 == count), *kw_span),
                ),
                entry("from", Node::map(from, node.span)),
                entry("instructions", Node::list(members, list_span)),
            ];
            stages.push(Node::map(stage, node.span.to(&list_span)));
        }

        let nodes: Vec<Node> = built.into_iter().map(|b| b.node).collect();
        let span_of = |items: &[Node]| match (items.first(), items.last()) {
            (Some(a), Some(z)) => a.span.to(&z.span),
            _ => origin,
        };
        let stages_span = span_of(&stages);
        let instructions_span = span_of(&nodes);
        let body = sub(self.text, self.bom..self.text.len());
        let start = self.text.len() - body.trim_start().len();
        let end = self.bom + body.trim_end().len();
        let root_span = if start < end {
            self.span(start..end)
        } else {
            origin
        };
        Node::map(
            vec![
                entry("directives", Node::map(directives, directives_span)),
                entry("stages", Node::list(stages, stages_span)),
                entry("instructions", Node::list(nodes, instructions_span)),
            ],
            root_span,
        )
    }
}

/// A structural key takes the span of its value.
fn entry(name: &str, node: Node) -> (Key, Node) {
    (Key::new(name, node.span), node)
}

/// The empty span just after a span.
fn after(span: Span) -> Span {
    Span {
        start: span.end,
        ..span
    }
}

/// Docker's word separator for instruction arguments (`[\t\v\f\r ]`).
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r' | '\n')
}

fn find_ws(s: &str, at: usize) -> usize {
    let rest = sub(s, at..s.len());
    rest.find(is_ws).map_or(s.len(), |i| at + i)
}

fn skip_ws(s: &str, at: usize) -> usize {
    let rest = sub(s, at..s.len());
    at + (rest.len() - rest.trim_start_matches(is_ws).len())
}

fn skip_space(s: &str, at: usize) -> usize {
    let rest = sub(s, at..s.len());
    at + (rest.len() - rest.trim_start().len())
}

fn trim_range(s: &str, r: Range<usize>) -> Range<usize> {
    let piece = sub(s, r.clone());
    let start = r.start + (piece.len() - piece.trim_start().len());
    start..start + piece.trim().len()
}

fn split_words(s: &str) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (is_ws(c), start) {
            (true, Some(st)) => {
                words.push(st..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        words.push(st..s.len());
    }
    words
}

/// Words as Docker's `parseWords` splits them: quotes and escapes keep spaces inside a word.
fn shell_words(s: &str, escape: char) -> Vec<Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == escape && q != '\'' {
                chars.next();
            }
            continue;
        }
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                words.push(st..i);
            }
            continue;
        }
        start.get_or_insert(i);
        if c == '\'' || c == '"' {
            quote = Some(c);
        } else if c == escape {
            chars.next();
        }
    }
    if let Some(st) = start {
        words.push(st..s.len());
    }
    words
}

/// Removes shell quoting as Docker's word processing does (variables are left as written).
fn unquote(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\'' {
            chars
                .by_ref()
                .take_while(|&c| c != '\'')
                .for_each(|c| out.push(c));
        } else if c == '"' {
            while let Some(c) = chars.next() {
                if c == '"' {
                    break;
                }
                if c != escape {
                    out.push(c);
                    continue;
                }
                // Inside double quotes only `"`, `$` and the escape itself are escaped.
                match chars.clone().next() {
                    Some(n) if n == '"' || n == '$' || n == escape => {
                        out.push(n);
                        chars.next();
                    }
                    Some(_) => out.push(c),
                    None => {}
                }
            }
        } else if c == escape {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Leading `--name[=value]` words, as Docker's `extractBuilderFlags` reads them; returns the
/// flags and where the arguments start.
fn take_flags(line: &str, mut at: usize) -> (Vec<Flag>, usize) {
    let mut flags = Vec::new();
    loop {
        at = skip_space(line, at);
        let rest = sub(line, at..line.len());
        if !rest.starts_with("--") {
            return (flags, at);
        }
        let mut word = String::new();
        let mut quote = None;
        let mut eq = None;
        let mut end = line.len();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match (quote, c) {
                (None, c) if c.is_whitespace() => {
                    end = at + i;
                    break;
                }
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                (None, '=') if eq.is_none() => {
                    eq = Some(at + i);
                    word.push('=');
                }
                (_, c) => word.push(c),
            }
        }
        let word_range = at..end;
        at = end;
        if word == "--" {
            return (flags, at);
        }
        let body = word.get(2..).unwrap_or("");
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let name_end = eq.unwrap_or(end);
        let value_range = eq.map_or(word_range.clone(), |e| e + 1..end);
        flags.push(Flag {
            name: name.to_string(),
            name_range: word_range.start + 2..name_end,
            value: value.map(|v| (v.to_string(), value_range)),
            word: word_range,
        });
    }
}

/// A JSON array of strings with each item's range (quotes included); None when the text is
/// not exactly that, which makes Docker fall back to the shell form.
fn json_strings(s: &str) -> Option<Vec<(String, Range<usize>)>> {
    let b = s.as_bytes();
    let skip = |mut i: usize| {
        while b
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            i += 1;
        }
        i
    };
    if b.first() != Some(&b'[') {
        return None;
    }
    let mut items = Vec::new();
    let mut i = skip(1);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let start = i;
            i += 1;
            loop {
                match b.get(i)? {
                    b'\\' => i += 2,
                    b'"' => break,
                    _ => i += 1,
                }
            }
            i += 1;
            let value: String = serde_json::from_str(s.get(start..i)?).ok()?;
            items.push((value, start..i));
            i = skip(i);
            match b.get(i)? {
                b',' => i = skip(i + 1),
                b']' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip(i) == b.len()).then_some(items)
}

/// Splits `registry:5000/ns/name:tag@sha256:...` into the name's end, the tag and the digest
/// (ranges in `r`). A colon before the last `/` is a registry port, not a tag; `${...}`
/// variable references are skipped over.
fn split_image(r: &str) -> (usize, Option<Range<usize>>, Option<Range<usize>>) {
    let mut depth = 0u32;
    let mut at = None;
    let mut colon = None;
    let mut prev = '\0';
    for (i, c) in r.char_indices() {
        match c {
            '{' if prev == '$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 || at.is_some() => {}
            '@' => at = Some(i),
            '/' => colon = None,
            ':' => colon = Some(i),
            _ => {}
        }
        prev = c;
    }
    let name_end = colon.or(at).unwrap_or(r.len());
    let tag = colon.map(|c| c + 1..at.unwrap_or(r.len()));
    let digest = at.map(|a| a + 1..r.len());
    (name_end, tag, digest)
}

/// Matches BuildKit's `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` on a left-trimmed line;
/// returns the name and value ranges.
fn match_directive(text: &str, t: Range<usize>) -> Option<(Range<usize>, Range<usize>)> {
    let b = sub(text, t.clone()).as_bytes();
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r');
    let skip = |mut i: usize| {
        while b.get(i).is_some_and(space) {
            i += 1;
        }
        i
    };
    if b.first() != Some(&b'#') {
        return None;
    }
    let name_start = skip(1);
    if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut i = name_start;
    while b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        i += 1;
    }
    let name_end = i;
    i = skip(i);
    if b.get(i) != Some(&b'=') {
        return None;
    }
    let value_start = skip(i + 1);
    let mut value_end = b.len();
    while value_end > value_start && b.get(value_end - 1).is_some_and(space) {
        value_end -= 1;
    }
    if value_end == value_start {
        return None;
    }
    Some((
        t.start + name_start..t.start + name_end,
        t.start + value_start..t.start + value_end,
    ))
}

/// The closest known keyword, by edit distance with transpositions (`FORM` → `FROM`).
fn suggest(word: &str) -> Option<&'static str> {
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    KEYWORDS
        .iter()
        .filter_map(|k| distance(word, k, limit).map(|d| (d, *k)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Optimal-string-alignment distance, or None when it exceeds `limit`.
fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            let v = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a.get(i - 1) != b.get(j - 1));
                let mut v = (d[(i - 1) * width + j] + 1)
                    .min(d[i * width + j - 1] + 1)
                    .min(d[(i - 1) * width + j - 1] + cost);
                if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                    v = v.min(d[(i - 2) * width + j - 2] + 1);
                }
                v
            };
            d[i * width + j] = v;
        }
    }
    d.last().copied().filter(|&v| v <= limit)
}

/// Keeps messages short when the offending text is huge.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", sub(s, 0..i)),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;

    fn run(src: &str) -> (SourceFile, Parsed) {
        crate::parse::testing::parse_as(parse, "Dockerfile", src)
    }

    /// Parses input that must have no errors; returns the file and the root.
    fn ok(src: &str) -> (SourceFile, Node) {
        crate::parse::testing::parse_clean(parse, "Dockerfile", src)
    }

    fn node<'n>(root: &'n Node, path: &str) -> &'n Node {
        root.get_path(path)
            .unwrap_or_else(|| panic!("no node at {path}"))
    }

    fn str_at<'n>(root: &'n Node, path: &str) -> &'n str {
        node(root, path)
            .as_str()
            .unwrap_or_else(|| panic!("{path} is not a string"))
    }

    fn key_span(root: &Node, map: &str, key: &str) -> Span {
        node(root, map)
            .entries()
            .iter()
            .find(|(k, _)| &*k.name == key)
            .map(|(k, _)| k.span)
            .unwrap_or_else(|| panic!("no key {key} in {map}"))
    }

    /// Line and column where a span starts, and its source text.
    fn place(file: &SourceFile, span: Span) -> (u32, u32, &str) {
        (span.start.line, span.start.column, file.slice(&span))
    }

    fn keywords(root: &Node) -> Vec<&str> {
        node(root, "instructions")
            .items()
            .iter()
            .map(|i| str_at(i, "cmd"))
            .collect()
    }

    #[test]
    fn spans_after_a_line_continuation() {
        let src = "FROM alpine\nRUN apk add \\\n    curl \\\n    && echo done\n";
        let (file, root) = ok(src);
        let run = node(&root, "instructions.1");
        assert_eq!(place(&file, node(run, "cmd").span), (2, 1, "RUN"));
        assert_eq!(place(&file, node(run, "args.2").span), (3, 5, "curl"));
        assert_eq!(place(&file, node(run, "args.3").span), (4, 5, "&&"));
        assert_eq!(place(&file, node(run, "args.4").span), (4, 8, "echo"));
        assert_eq!(node(run, "args.4").span.end.column, 12);
        // Docker joins continuation lines as written, leading spaces included.
        assert_eq!(str_at(run, "text"), "apk add     curl     && echo done");
        let text = node(run, "text").span;
        assert_eq!((text.start.line, text.start.column), (2, 5));
        assert_eq!((text.end.line, text.end.column), (4, 17));
        // The instruction runs from its keyword to the end of its last line.
        assert_eq!(run.span.start.line, 2);
        assert_eq!((run.span.end.line, run.span.end.column), (4, 17));
        assert_eq!(node(&root, "stages.0.instructions.0").span, run.span);
    }

    #[test]
    fn keyword_after_a_continuation_and_a_word_split_by_one() {
        // A word cut by a continuation spans both lines; the keyword can follow a bare `\`.
        let (file, root) = ok("FROM a\n  RUN echo ab\\\ncd\n");
        let run = node(&root, "instructions.1");
        assert_eq!(place(&file, node(run, "cmd").span), (2, 3, "RUN"));
        let word = node(run, "args.1");
        assert_eq!(word.as_str(), Some("abcd"));
        assert_eq!((word.span.start.line, word.span.start.column), (2, 12));
        assert_eq!((word.span.end.line, word.span.end.column), (3, 3));
    }

    #[test]
    fn heredoc_bodies_and_spans() {
        let src = "FROM a\nRUN <<EOF\n# not a comment\necho hi \\\nEOF\nCOPY <<a.txt <<-\"b\" /dest/\none\na.txt\n\ttwo\n\t\tthree\n\tb\nUSER x\n";
        let (file, root) = ok(src);
        let run = node(&root, "instructions.1");
        assert_eq!(str_at(run, "heredocs.0.delimiter"), "EOF");
        assert_eq!(
            str_at(run, "heredocs.0.body"),
            "# not a comment\necho hi \\\n"
        );
        let body = node(run, "heredocs.0.body").span;
        assert_eq!((body.start.line, body.start.column), (3, 1));
        assert_eq!((body.end.line, body.end.column), (4, 10));
        assert_eq!(
            place(&file, node(run, "heredocs.0.delimiter").span),
            (2, 7, "EOF")
        );
        // The instruction (and the heredoc) end with the terminator line.
        assert_eq!((run.span.end.line, run.span.end.column), (5, 4));
        let heredoc = node(run, "heredocs.0").span;
        assert_eq!((heredoc.start.line, heredoc.start.column), (2, 5));
        assert_eq!(heredoc.end, run.span.end);

        let copy = node(&root, "instructions.2");
        assert_eq!(str_at(copy, "heredocs.0.delimiter"), "a.txt");
        assert_eq!(str_at(copy, "heredocs.0.body"), "one\n");
        // `<<-` strips leading tabs, also before the terminator; the quotes are not part
        // of the name, but are part of the delimiter's span.
        assert_eq!(str_at(copy, "heredocs.1.delimiter"), "b");
        assert_eq!(
            place(&file, node(copy, "heredocs.1.delimiter").span),
            (6, 17, "\"b\"")
        );
        assert_eq!(str_at(copy, "heredocs.1.body"), "two\nthree\n");
        let body = node(copy, "heredocs.1.body").span;
        assert_eq!((body.start.line, body.end.line), (9, 10));
        assert_eq!(copy.span.end.line, 11);
        assert_eq!(str_at(copy, "args.2"), "/dest/");
        // Lexing goes on after the bodies.
        assert_eq!(keywords(&root), ["FROM", "RUN", "COPY", "USER"]);
        assert_eq!(
            place(&file, node(&root, "instructions.3.cmd").span),
            (12, 1, "USER")
        );
    }

    #[test]
    fn heredoc_edge_cases() {
        // Quoted `<<` is not a heredoc; `<<<` neither; a file descriptor prefix is allowed;
        // an empty body has an empty span on the terminator line.
        let src = "FROM a\nRUN echo \"<<X\" <<<y\nRUN cat 3<<'E O'\nE O\nADD <<E /x\nE\n";
        let (file, root) = ok(src);
        assert!(node(&root, "instructions.1").get("heredocs").is_none());
        assert_eq!(str_at(&root, "instructions.2.heredocs.0.delimiter"), "E O");
        assert_eq!(str_at(&root, "instructions.2.heredocs.0.body"), "");
        let empty = node(&root, "instructions.3.heredocs.0.body").span;
        assert_eq!((empty.start.line, empty.start.column), (6, 1));
        assert_eq!(empty.start, empty.end);
        assert_eq!(
            file.slice(&node(&root, "instructions.3").span),
            "ADD <<E /x\nE"
        );
        // Heredocs are only read for RUN, COPY and ADD.
        let (_, root) = ok("FROM a\nCMD cat <<EOF\nUSER x\n");
        assert_eq!(keywords(&root), ["FROM", "CMD", "USER"]);
    }

    #[test]
    fn unterminated_heredoc_is_reported_and_kept() {
        let src = "FROM a\nRUN <<EOF cat\nline 1\nline 2\n";
        let (file, parsed) = run(src);
        assert_eq!(parsed.errors.len(), 1);
        let err = &parsed.errors[0];
        assert!(
            err.message.contains("unterminated heredoc"),
            "{}",
            err.message
        );
        assert!(err.message.contains("EOF"));
        assert_eq!(place(&file, err.span), (2, 5, "<<EOF"));
        let root = &parsed.roots[0];
        let run = node(root, "instructions.1");
        assert_eq!(str_at(run, "heredocs.0.body"), "line 1\nline 2\n");
        assert_eq!((run.span.end.line, run.span.end.column), (4, 7));
    }

    #[test]
    fn escape_directive_switches_to_backtick_continuations() {
        let src = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir c:\\ `\n    && echo done\nWORKDIR c:\\app\\\n";
        let (file, root) = ok(src);
        assert_eq!(str_at(&root, "directives.escape"), "`");
        assert_eq!(
            place(&file, key_span(&root, "directives", "escape")),
            (1, 3, "escape")
        );
        assert_eq!(
            place(&file, node(&root, "directives.escape").span),
            (1, 10, "`")
        );
        let run = node(&root, "instructions.1");
        assert_eq!(str_at(run, "text"), "dir c:\\     && echo done");
        assert_eq!(place(&file, node(run, "args.2").span), (4, 5, "&&"));
        // A backslash at the end of a line is now plain text.
        assert_eq!(str_at(&root, "instructions.2.text"), "c:\\app\\");
        assert_eq!(keywords(&root), ["FROM", "RUN", "WORKDIR"]);
    }

    #[test]
    fn directives_only_count_at_the_very_top() {
        let src = "#syntax = docker/dockerfile:1.7\n  # CHECK=skip=all;error=true  \n# escape=`\n\n# escape=\\\nFROM a\nRUN a `\n  b\n";
        let (file, root) = ok(src);
        assert_eq!(str_at(&root, "directives.syntax"), "docker/dockerfile:1.7");
        assert_eq!(str_at(&root, "directives.check"), "skip=all;error=true");
        assert_eq!(
            place(&file, key_span(&root, "directives", "check")),
            (2, 5, "CHECK")
        );
        assert_eq!(str_at(&root, "directives.escape"), "`");
        assert_eq!(node(&root, "directives").entries().len(), 3);
        assert_eq!(
            file.slice(&node(&root, "directives").span).lines().count(),
            3
        );
        // The second `# escape=` comes after a blank line: a comment, the backtick stays.
        assert_eq!(str_at(&root, "instructions.1.text"), "a   b");

        // After a comment, a blank line or an instruction, `# escape=` is a comment.
        for src in [
            "# hello\n# escape=`\nFROM a\nRUN a \\\n  b\n",
            "\n# escape=`\nFROM a\nRUN a \\\n  b\n",
            "FROM a\n# escape=`\nRUN a \\\n  b\n",
            "# unknown=1\n# escape=`\nFROM a\nRUN a \\\n  b\n",
        ] {
            let (_, root) = ok(src);
            assert!(node(&root, "directives").get("escape").is_none(), "{src:?}");
            assert_eq!(str_at(&root, "instructions.1.text"), "a   b", "{src:?}");
        }
    }

    #[test]
    fn bad_directives_are_reported() {
        let (file, parsed) = run("# escape=x\n# escape=`\nFROM a\n");
        assert_eq!(parsed.errors.len(), 2);
        assert!(parsed.errors[0].message.contains("found `x`"));
        assert_eq!(place(&file, parsed.errors[0].span), (1, 10, "x"));
        assert!(parsed.errors[1].message.contains("only one `escape`"));
        assert_eq!(parsed.errors[1].span.start.line, 2);
    }

    #[test]
    fn comments_and_blank_lines_inside_a_continuation() {
        let src = "FROM a\nRUN apt-get update \\\n  # refresh the index\n\n    \\\n  && apt-get install -y curl\n# a real comment\nUSER app\n";
        let (file, root) = ok(src);
        let run = node(&root, "instructions.1");
        // The `    \` line adds its spaces; the comment and blank line add nothing.
        assert_eq!(
            str_at(run, "text"),
            "apt-get update       && apt-get install -y curl"
        );
        assert_eq!(place(&file, node(run, "args.2").span), (6, 3, "&&"));
        assert_eq!(run.span.end.line, 6);
        assert_eq!(keywords(&root), ["FROM", "RUN", "USER"]);
        // A comment that ends with `\` does not continue anything.
        let (_, root) = ok("# note \\\nFROM a\n");
        assert_eq!(keywords(&root), ["FROM"]);
    }

    #[test]
    fn continuation_at_end_of_file_ends_the_instruction() {
        for (src, escape_at) in [
            ("FROM a\nRUN echo hi \\", (2, 13)),
            // Trailing comment and blank lines are not part of it.
            ("FROM a\nRUN echo hi \\\n# c\n\n", (2, 13)),
            ("FROM a\nRUN echo hi && \\\n  echo more \\\n", (3, 13)),
        ] {
            let (file, parsed) = run(src);
            let run = node(&parsed.roots[0], "instructions.1");
            assert!(str_at(run, "text").starts_with("echo hi"));
            assert!(file.slice(&run.span).starts_with("RUN echo hi"));
            assert!(file.slice(&run.span).ends_with('\\'));
            // Docker accepts it, but the command is likely cut short: said at the escape.
            let [err] = parsed.errors.as_slice() else {
                panic!("one error expected: {:?}", parsed.errors);
            };
            assert!(err.message.contains("ends after a line continuation"));
            let start = err.span.start;
            assert_eq!((start.line, start.column), escape_at, "{src:?}");
        }
    }

    #[test]
    fn multi_stage_build() {
        let src = "ARG BASE=golang:1.22\nFROM ${BASE} AS Builder\nRUN go build -o /app\n\nFROM gcr.io/distroless/static\nCOPY --from=builder --chown=app:app /app /app\nUSER app\nFROM builder AS test\n";
        let (file, root) = ok(src);
        assert_eq!(
            keywords(&root),
            ["ARG", "FROM", "RUN", "FROM", "COPY", "USER", "FROM"]
        );
        let stages = node(&root, "stages").items();
        assert_eq!(stages.len(), 3);
        assert_eq!(str_at(&stages[0], "name"), "Builder");
        assert_eq!(
            place(&file, node(&stages[0], "name").span),
            (2, 17, "Builder")
        );
        assert_eq!(node(&stages[0], "index").value, Value::Int(0));
        assert_eq!(node(&stages[1], "name").value, Value::Null);
        let finals: Vec<_> = stages
            .iter()
            .map(|s| node(s, "final").value.clone())
            .collect();
        assert_eq!(
            finals,
            [Value::Bool(false), Value::Bool(false), Value::Bool(true)]
        );
        // Stage instructions leave out the FROM (it is `from`); the ARG belongs to no stage.
        assert_eq!(keywords(&stages[1]), ["COPY", "USER"]);
        assert_eq!(
            file.slice(&stages[0].span),
            "FROM ${BASE} AS Builder\nRUN go build -o /app"
        );
        assert_eq!(stages[2].span.start.line, 8);
        let copy = node(&stages[1], "instructions.0");
        assert_eq!(str_at(copy, "flags.from"), "builder");
        assert_eq!(str_at(copy, "flags.chown"), "app:app");
        assert_eq!(
            place(&file, key_span(copy, "flags", "chown")),
            (6, 23, "chown")
        );
        assert_eq!(
            place(&file, node(copy, "flags.chown").span),
            (6, 29, "app:app")
        );
        assert_eq!(str_at(copy, "args.0"), "/app");
        // `FROM builder` names the first stage (case-insensitively); an image does not.
        assert_eq!(node(&stages[2], "from.stage").value, Value::Int(0));
        assert!(node(&stages[1], "from").get("stage").is_none());
        assert_eq!(str_at(&stages[0], "from.image"), "${BASE}");
        assert_eq!(node(&stages[0], "from.tag").value, Value::Null);
    }

    #[test]
    fn from_image_references() {
        let src = "FROM --platform=linux/amd64 registry:5000/ns/name:1.2@sha256:abc AS b\nFROM localhost:5000/app\nFROM alpine:3.19\nFROM ubuntu@sha256:def\nFROM ${REG:-docker.io}/lib/img:${TAG:-latest}\n";
        let (file, root) = ok(src);
        let from = node(&root, "instructions.0");
        assert_eq!(str_at(from, "image"), "registry:5000/ns/name");
        assert_eq!(str_at(from, "tag"), "1.2");
        assert_eq!(str_at(from, "digest"), "sha256:abc");
        assert_eq!(str_at(from, "platform"), "linux/amd64");
        assert_eq!(str_at(from, "stage_name"), "b");
        assert_eq!(
            place(&file, node(from, "image").span),
            (1, 29, "registry:5000/ns/name")
        );
        assert_eq!(place(&file, node(from, "tag").span), (1, 51, "1.2"));
        assert_eq!(
            place(&file, node(from, "digest").span),
            (1, 55, "sha256:abc")
        );
        assert_eq!(
            place(&file, node(from, "platform").span),
            (1, 17, "linux/amd64")
        );
        assert_eq!(
            file.slice(&node(&root, "stages.0.from.raw").span),
            "registry:5000/ns/name:1.2@sha256:abc"
        );
        let cases = [
            ("instructions.1", "localhost:5000/app", None, None),
            ("instructions.2", "alpine", Some("3.19"), None),
            ("instructions.3", "ubuntu", None, Some("sha256:def")),
            (
                "instructions.4",
                "${REG:-docker.io}/lib/img",
                Some("${TAG:-latest}"),
                None,
            ),
        ];
        for (path, image, tag, digest) in cases {
            let from = node(&root, path);
            assert_eq!(str_at(from, "image"), image);
            assert_eq!(node(from, "tag").as_str(), tag);
            assert_eq!(node(from, "digest").as_str(), digest);
            assert_eq!(node(from, "platform").value, Value::Null);
        }
        // A missing tag points at the image reference.
        assert_eq!(
            file.slice(&node(&root, "instructions.1.tag").span),
            "localhost:5000/app"
        );
    }

    #[test]
    fn from_errors() {
        let (file, parsed) = run("FROM\nFROM a b\n");
        assert_eq!(parsed.errors.len(), 2);
        assert_eq!(place(&file, parsed.errors[0].span), (1, 1, "FROM"));
        assert!(parsed.errors[1].message.contains("found 2 words"));
        assert_eq!(node(&parsed.roots[0], "stages").items().len(), 2);
    }

    #[test]
    fn env_label_and_arg_pairs() {
        let src = "FROM a\nENV a=b c=\"d e\" f='g h' i=x\\ y j=\nENV NAME value with  spaces\nLABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0\nARG VERSION\nARG MODE=prod OTHER\n";
        let (file, root) = ok(src);
        let env = node(&root, "instructions.1");
        assert_eq!(str_at(env, "vars.a"), "b");
        assert_eq!(str_at(env, "vars.c"), "d e");
        assert_eq!(str_at(env, "vars.f"), "g h");
        assert_eq!(str_at(env, "vars.i"), "x y");
        assert_eq!(str_at(env, "vars.j"), "");
        assert_eq!(place(&file, key_span(env, "vars", "c")), (2, 9, "c"));
        assert_eq!(place(&file, node(env, "vars.c").span), (2, 11, "\"d e\""));
        assert_eq!(place(&file, node(env, "vars.j").span), (2, 34, ""));
        let legacy = node(&root, "instructions.2");
        assert_eq!(str_at(legacy, "vars.NAME"), "value with  spaces");
        assert_eq!(
            place(&file, key_span(legacy, "vars", "NAME")),
            (3, 5, "NAME")
        );
        assert_eq!(
            place(&file, node(legacy, "vars.NAME").span),
            (3, 10, "value with  spaces")
        );
        let label = node(&root, "instructions.3");
        let vendor = node(label, "vars")
            .entries()
            .first()
            .map(|(k, v)| (&*k.name, v.as_str()));
        assert_eq!(vendor, Some(("com.example.vendor", Some("ACME Inc"))));
        assert_eq!(str_at(label, "vars.version"), "1.0");
        assert_eq!(
            place(&file, key_span(label, "vars", "com.example.vendor")),
            (4, 7, "\"com.example.vendor\"")
        );
        let arg = node(&root, "instructions.4");
        assert_eq!(node(arg, "vars.VERSION").value, Value::Null);
        assert_eq!(
            place(&file, node(arg, "vars.VERSION").span),
            (5, 5, "VERSION")
        );
        let arg = node(&root, "instructions.5");
        assert_eq!(str_at(arg, "vars.MODE"), "prod");
        assert_eq!(node(arg, "vars.OTHER").value, Value::Null);
    }

    #[test]
    fn env_pair_continued_on_the_next_line() {
        let (file, root) = ok("FROM a\nENV A=1 \\\n    B=\"two words\"\n");
        let env = node(&root, "instructions.1");
        assert_eq!(str_at(env, "vars.B"), "two words");
        assert_eq!(place(&file, key_span(env, "vars", "B")), (3, 5, "B"));
        assert_eq!(
            place(&file, node(env, "vars.B").span),
            (3, 7, "\"two words\"")
        );
    }

    #[test]
    fn env_errors() {
        let (file, parsed) = run("FROM a\nENV ONLY\nENV a=1 b\nENV\n");
        let messages: Vec<_> = parsed.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("needs a value"));
        assert_eq!(place(&file, parsed.errors[0].span), (2, 5, "ONLY"));
        assert!(messages[1].contains("found `b`"));
        assert_eq!(place(&file, parsed.errors[1].span), (3, 9, "b"));
        assert!(messages[2].contains("at least one"));
        assert_eq!(str_at(&parsed.roots[0], "instructions.2.vars.a"), "1");
    }

    #[test]
    fn exec_form_and_shell_form() {
        let src = "FROM a\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT /bin/sh -c \"echo hi\"\nRUN [\"echo\", \"a\\\"b\\u00e9\\n\"]\nRUN [not json]\nRUN [\"a\",]\nSHELL [\"pwsh\", \"-c\"]\nVOLUME [\"/data\"]\nCMD []\n";
        let (file, root) = ok(src);
        let cmd = node(&root, "instructions.1");
        assert_eq!(node(cmd, "exec_form").value, Value::Bool(true));
        assert_eq!(str_at(cmd, "args.2"), "daemon off;");
        assert_eq!(
            place(&file, node(cmd, "args.2").span),
            (2, 21, "\"daemon off;\"")
        );
        assert_eq!(
            place(&file, node(cmd, "args").span),
            (2, 5, "[\"nginx\", \"-g\", \"daemon off;\"]")
        );
        let entry = node(&root, "instructions.2");
        assert_eq!(node(entry, "exec_form").value, Value::Bool(false));
        assert_eq!(str_at(entry, "args.0"), "/bin/sh");
        assert_eq!(str_at(entry, "text"), "/bin/sh -c \"echo hi\"");
        // JSON escapes are decoded.
        assert_eq!(str_at(&root, "instructions.3.args.1"), "a\"bé\n");
        // Not JSON (or not valid JSON): the shell form, as in Docker.
        for path in ["instructions.4", "instructions.5"] {
            assert_eq!(
                node(&root, path).get("exec_form").map(|n| &n.value),
                Some(&Value::Bool(false))
            );
        }
        assert_eq!(str_at(&root, "instructions.4.args.0"), "[not");
        assert_eq!(str_at(&root, "instructions.6.args.1"), "-c");
        assert_eq!(
            node(&root, "instructions.7.exec_form").value,
            Value::Bool(true)
        );
        assert_eq!(node(&root, "instructions.8.args").items().len(), 0);
        assert_eq!(
            node(&root, "instructions.8.exec_form").value,
            Value::Bool(true)
        );
    }

    #[test]
    fn exec_form_across_lines() {
        let (file, root) = ok("FROM a\nCMD [\"python\", \\\n     \"app.py\"]\n");
        let cmd = node(&root, "instructions.1");
        assert_eq!(node(cmd, "exec_form").value, Value::Bool(true));
        assert_eq!(place(&file, node(cmd, "args.1").span), (3, 6, "\"app.py\""));
    }

    #[test]
    fn shell_without_json_is_an_error() {
        let (file, parsed) = run("FROM a\nSHELL /bin/bash -c\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(place(&file, parsed.errors[0].span), (2, 7, "/bin/bash -c"));
    }

    #[test]
    fn flags() {
        let src = "FROM a\nRUN --mount=type=cache,target=/root/.cache --network=none --mount=\"type=bind,source=a b\" \\\n    pip install .\nCOPY --link -- --weird /x\n";
        let (file, root) = ok(src);
        let run = node(&root, "instructions.1");
        let flags = node(run, "flags").entries();
        let names: Vec<_> = flags.iter().map(|(k, _)| &*k.name).collect();
        // Repeated flags stay repeated keys, in order.
        assert_eq!(names, ["mount", "network", "mount"]);
        assert_eq!(flags[0].1.as_str(), Some("type=cache,target=/root/.cache"));
        assert_eq!(flags[2].1.as_str(), Some("type=bind,source=a b"));
        assert_eq!(place(&file, flags[1].0.span), (2, 46, "network"));
        assert_eq!(
            place(&file, flags[2].1.span),
            (2, 67, "\"type=bind,source=a b\"")
        );
        assert_eq!(str_at(run, "text"), "pip install .");
        assert_eq!(place(&file, node(run, "args.0").span), (3, 5, "pip"));
        let copy = node(&root, "instructions.2");
        assert_eq!(node(copy, "flags.link").value, Value::Bool(true));
        assert_eq!(
            place(&file, node(copy, "flags.link").span),
            (4, 6, "--link")
        );
        // `--` ends the flags.
        assert_eq!(str_at(copy, "args.0"), "--weird");
    }

    #[test]
    fn user_expose_workdir() {
        let src = "FROM a\nUSER app:staff\nUSER 1000\nEXPOSE 80 443/tcp\nWORKDIR /srv/app\n";
        let (file, root) = ok(src);
        assert_eq!(str_at(&root, "instructions.1.user"), "app");
        assert_eq!(str_at(&root, "instructions.1.group"), "staff");
        assert_eq!(
            place(&file, node(&root, "instructions.1.group").span),
            (2, 10, "staff")
        );
        assert_eq!(str_at(&root, "instructions.2.user"), "1000");
        assert_eq!(node(&root, "instructions.2.group").value, Value::Null);
        assert_eq!(str_at(&root, "instructions.3.ports.1"), "443/tcp");
        assert_eq!(
            place(&file, node(&root, "instructions.3.ports.1").span),
            (4, 11, "443/tcp")
        );
        assert_eq!(str_at(&root, "instructions.4.text"), "/srv/app");
    }

    #[test]
    fn healthcheck() {
        let src = "FROM a\nHEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK NONE\nHEALTHCHECK CMD [\"/bin/check\"]\n";
        let (file, root) = ok(src);
        let hc = node(&root, "instructions.1");
        assert_eq!(str_at(hc, "flags.interval"), "30s");
        assert_eq!(node(hc, "none").value, Value::Bool(false));
        assert_eq!(str_at(hc, "cmd"), "HEALTHCHECK");
        assert_eq!(str_at(hc, "command.0"), "curl");
        assert_eq!(
            place(&file, node(hc, "command").span),
            (2, 44, "curl -f http://localhost/ || exit 1")
        );
        assert_eq!(node(&root, "instructions.2.none").value, Value::Bool(true));
        assert!(node(&root, "instructions.2").get("command").is_none());
        assert_eq!(
            node(&root, "instructions.3.exec_form").value,
            Value::Bool(true)
        );
        assert_eq!(str_at(&root, "instructions.3.command.0"), "/bin/check");

        let (file, parsed) = run("FROM a\nHEALTHCHECK curl x\n");
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(place(&file, parsed.errors[0].span), (2, 13, "curl"));
    }

    #[test]
    fn onbuild_trigger() {
        let (file, root) = ok("FROM a\nONBUILD RUN --mount=type=cache,target=/x make\n");
        let onbuild = node(&root, "instructions.1");
        let trigger = node(onbuild, "trigger");
        assert_eq!(str_at(trigger, "cmd"), "RUN");
        assert_eq!(place(&file, node(trigger, "cmd").span), (2, 9, "RUN"));
        assert_eq!(str_at(trigger, "flags.mount"), "type=cache,target=/x");
        assert_eq!(str_at(trigger, "args.0"), "make");
        assert_eq!(
            file.slice(&trigger.span),
            "RUN --mount=type=cache,target=/x make"
        );

        let (file, parsed) = run("FROM a\nONBUILD RUNN make\nONBUILD ONBUILD RUN x\n");
        assert_eq!(parsed.errors.len(), 2);
        assert!(parsed.errors[0].message.contains("did you mean `RUN`"));
        assert_eq!(place(&file, parsed.errors[0].span), (2, 9, "RUNN"));
        assert!(parsed.errors[1].message.contains("ONBUILD trigger"));
        assert_eq!(
            node(&parsed.roots[0], "instructions.1.trigger").value,
            Value::Null
        );
    }

    #[test]
    fn deep_onbuild_chains_do_not_recurse() {
        let src = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(100_000));
        let (_, parsed) = run(&src);
        assert_eq!(parsed.errors.len(), 1);
        let root = &parsed.roots[0];
        assert_eq!(str_at(root, "instructions.1.trigger.cmd"), "ONBUILD");
        assert!(
            node(root, "instructions.1.trigger")
                .get("trigger")
                .is_none()
        );
    }

    #[test]
    fn unknown_instruction_is_reported_and_the_rest_parsed() {
        let src =
            "FORM alpine\nRUNN echo hi\nRUN echo ok\nfrobnicate x\nCPY a b\nhealthchek NONE\n";
        let (file, parsed) = run(src);
        let messages: Vec<_> = parsed.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "unknown instruction `FORM`; did you mean `FROM`?",
                "unknown instruction `RUNN`; did you mean `RUN`?",
                "unknown instruction `frobnicate`",
                "unknown instruction `CPY`; did you mean `COPY`?",
                "unknown instruction `healthchek`; did you mean `HEALTHCHECK`?",
            ]
        );
        assert_eq!(place(&file, parsed.errors[1].span), (2, 1, "RUNN"));
        assert_eq!(parsed.roots.len(), 1);
        let root = &parsed.roots[0];
        assert_eq!(keywords(root), ["RUN"]);
        assert_eq!(
            place(&file, node(root, "instructions.0.cmd").span),
            (3, 1, "RUN")
        );
        // No FROM survived, so there is no stage.
        assert_eq!(node(root, "stages").items().len(), 0);
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let (file, root) = ok("from alpine as base\nrun echo\nCopy a b\n");
        assert_eq!(keywords(&root), ["FROM", "RUN", "COPY"]);
        assert_eq!(
            place(&file, node(&root, "instructions.2.cmd").span),
            (3, 1, "Copy")
        );
        assert_eq!(str_at(&root, "stages.0.name"), "base");
    }

    #[test]
    fn crlf_line_endings() {
        let src = "FROM a\r\nRUN echo a \\\r\n  && echo b\r\nCOPY <<EOF /x\r\nhello\r\nEOF\r\nUSER app\r\n";
        let (file, root) = ok(src);
        let run = node(&root, "instructions.1");
        assert_eq!(str_at(run, "text"), "echo a   && echo b");
        assert_eq!(file.slice(&run.span), "RUN echo a \\\r\n  && echo b");
        assert_eq!(place(&file, node(run, "args.3").span), (3, 6, "echo"));
        assert_eq!(str_at(&root, "instructions.2.heredocs.0.body"), "hello\n");
        assert_eq!(
            file.slice(&node(&root, "instructions.2").span),
            "COPY <<EOF /x\r\nhello\r\nEOF"
        );
        assert_eq!(str_at(&root, "instructions.3.text"), "app");
        assert_eq!(file.slice(&node(&root, "instructions.3").span), "USER app");
    }

    #[test]
    fn byte_order_mark() {
        let src = "\u{feff}# escape=`\nFROM alpine\n";
        let (file, root) = ok(src);
        assert_eq!(str_at(&root, "directives.escape"), "`");
        let from = node(&root, "instructions.0");
        assert_eq!(file.slice(&node(from, "cmd").span), "FROM");
        assert_eq!(node(from, "cmd").span.start.line, 2);
        // On the first line the BOM is skipped; the model counts it as a column.
        let (file, root) = ok("\u{feff}FROM alpine\n");
        let cmd = node(&root, "instructions.0.cmd").span;
        assert_eq!((cmd.start.offset, cmd.start.column), (3, 2));
        assert_eq!(file.slice(&cmd), "FROM");
        assert_eq!(root.span.start.offset, 3);
    }

    #[test]
    fn empty_and_comment_only_files() {
        for src in [
            "",
            "\n\n",
            "# just a comment\n",
            "   \t\n",
            "\\\n",
            "\u{feff}",
        ] {
            let (_, root) = ok(src);
            assert_eq!(node(&root, "instructions").items().len(), 0, "{src:?}");
            assert_eq!(node(&root, "stages").items().len(), 0);
        }
    }

    #[test]
    fn root_and_list_spans() {
        let (file, root) = ok("\n# top\nARG A\nFROM a\nRUN x\n\n");
        assert_eq!(file.slice(&root.span), "# top\nARG A\nFROM a\nRUN x");
        assert_eq!(
            file.slice(&node(&root, "instructions").span),
            "ARG A\nFROM a\nRUN x"
        );
        assert_eq!(file.slice(&node(&root, "stages").span), "FROM a\nRUN x");
        assert_eq!(
            file.slice(&node(&root, "stages.0.instructions").span),
            "RUN x"
        );
        assert_eq!(file.slice(&node(&root, "instructions.2.flags").span), "");
        assert_eq!(node(&root, "instructions.2.flags").span.start.column, 5);
    }

    #[test]
    fn one_megabyte_run_line_is_linear() {
        let mut src = String::from("FROM a\nRUN ");
        while src.len() < 1 << 20 {
            src.push_str("apt-get install -y pkg-é && ");
        }
        src.push_str("true\nUSER app\n");
        let started = std::time::Instant::now();
        let (file, root) = ok(&src);
        // About 0.2 s in a debug build; counting every column from the line start takes ~10 s.
        let took = started.elapsed();
        assert!(took.as_secs_f64() < 3.0, "took {took:?}");
        let args = node(&root, "instructions.1.args").items();
        assert!(args.len() > 150_000);
        let last = args.last().map(|n| n.span).unwrap_or_default();
        assert_eq!(file.slice(&last), "true");
        assert_eq!(last.start, file.pos(last.start.offset));
        assert_eq!(str_at(&root, "instructions.2.user"), "app");
    }

    #[test]
    fn nearby_positions_match_the_line_table() {
        let src = "ab\nçé=x y\n\nzz🦀q\r\nend";
        let file = SourceFile::new(SourceId(0), "Dockerfile", src);
        let mut lexer = Lexer::new(&file);
        let offsets: Vec<usize> = (0..=src.len())
            .filter(|&i| src.is_char_boundary(i))
            .collect();
        let orders = [
            offsets.clone(),
            offsets.iter().rev().copied().collect(),
            offsets
                .iter()
                .map(|&o| offsets[(o * 7) % offsets.len()])
                .collect(),
        ];
        for order in orders {
            for o in order {
                assert_eq!(lexer.pos(o), file.pos(o), "offset {o}");
            }
        }
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let nested = format!(
            "FROM a\nRUN {}\nCMD {}\n",
            "[".repeat(200_000),
            "[\"".repeat(50_000)
        );
        let heredocs = format!("FROM a\nRUN {}\n", "<<A ".repeat(20_000));
        let inputs = [
            nested.as_str(),
            heredocs.as_str(),
            "FROM a\nRUN [\"\\",
            "FROM a\nRUN [\"\\u12\"]",
            "FROM a\nRUN [\"é\\é\"]",
            "FROM a\nENV a=\"unterminated\nENV b='x",
            "FROM a\nENV \\",
            "FROM a\nLABEL é=\"\\",
            "FROM --platform\nRUN --=x --",
            "FROM a@\nFROM :\nFROM /\nFROM ${\nFROM }}\n",
            "\u{0}\u{1}\r\r\n\u{feff}RUN\u{a0}x\n\u{2028}",
            "USER :\nUSER\nEXPOSE\nHEALTHCHECK\nHEALTHCHECK CMD\nONBUILD\nSHELL",
            "RUN <<\nRUN <<-\nRUN <<''\n\nRUN 1<<-\"\n",
        ];
        for src in inputs {
            let (_, parsed) = run(src);
            assert_eq!(parsed.roots.len(), 1, "{src:?}");
        }
        let (_, parsed) = run(&heredocs);
        assert_eq!(parsed.errors.len(), 20_000);
    }

    #[test]
    fn suggestions_stay_close() {
        assert_eq!(suggest("FORM"), Some("FROM"));
        assert_eq!(suggest("ENTRYPIONT"), Some("ENTRYPOINT"));
        assert_eq!(suggest("AS"), None);
        assert_eq!(suggest("APT-GET"), None);
        assert_eq!(suggest(&"X".repeat(10_000)), None);
    }

    /// Our instruction list must match dockerfile-parser's on every corpus file it can parse.
    #[test]
    fn corpus_matches_dockerfile_parser() {
        let files = crate::parse::testing::corpus_files(|path| {
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            name == "Dockerfile"
                || name.starts_with("Dockerfile.")
                || name.to_ascii_lowercase().ends_with(".dockerfile")
                || name == "Containerfile"
        });
        let (mut compared, mut skipped) = (0, 0);
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let file = SourceFile::new(SourceId(0), path.display().to_string(), text.as_str());
            let ours = parse(&file);
            assert_eq!(ours.roots.len(), 1, "{}", path.display());
            let oracle = std::panic::catch_unwind(|| dockerfile_parser::Dockerfile::parse(&text));
            let Ok(Ok(theirs)) = oracle else {
                skipped += 1;
                continue;
            };
            use dockerfile_parser::Instruction as I;
            let expected: Vec<(String, u32)> = theirs
                .instructions
                .iter()
                .map(|ins| {
                    let keyword = match ins {
                        I::From(_) => "FROM".to_string(),
                        I::Arg(_) => "ARG".to_string(),
                        I::Label(_) => "LABEL".to_string(),
                        I::Run(_) => "RUN".to_string(),
                        I::Entrypoint(_) => "ENTRYPOINT".to_string(),
                        I::Cmd(_) => "CMD".to_string(),
                        I::Copy(_) => "COPY".to_string(),
                        I::Env(_) => "ENV".to_string(),
                        I::Misc(m) => m.instruction.content.to_ascii_uppercase(),
                    };
                    (keyword, file.pos(ins.span().start).line)
                })
                .collect();
            let actual: Vec<(String, u32)> = node(&ours.roots[0], "instructions")
                .items()
                .iter()
                .map(|i| (str_at(i, "cmd").to_string(), i.span.start.line))
                .collect();
            assert_eq!(actual, expected, "{}", path.display());
            compared += 1;
        }
        println!(
            "corpus: {} Dockerfiles, {compared} compared with dockerfile-parser, {skipped} it cannot parse",
            files.len()
        );
        assert!(compared > 0 || files.is_empty());
    }
}

//! nginx configuration adapter.
//!
//! The tokenizer follows nginx's own (`ngx_conf_read_token` in src/core/ngx_conf_file.c):
//! words are separated by spaces, tabs and line breaks, and `;` or `{` also ends one, but `}`
//! only counts where a word would start (`a}` is one word, as in nginx). `#` starts a comment
//! only where a word would start; a quote opens a quoted word only at its start; a backslash
//! keeps the next character in the word; `${` does not end a word. Values are unescaped as
//! nginx does: `\"` `\'` `\\` `\t` `\r` `\n`, any other backslash stays.
//!
//! The body of a `*_by_lua_block { … }` is Lua, not directives: it is found by counting braces
//! outside Lua strings and comments (as ngx_lua's own lexer does) and kept as one argument.
//!
//! Open blocks live on an explicit stack, so nesting never recurses; it is capped anyway.

use super::{ParseError, Parsed};
use crate::model::{Key, Node, Pos, SourceFile, Span};

/// Deepest block nesting read; real configurations stay under ten. Rules walk blocks with
/// one script call per level, so this stays well under their call depth limit (64).
const MAX_DEPTH: usize = 32;

pub fn parse(file: &SourceFile) -> Parsed {
    let mut parser = Parser::new(file);
    let root = parser.run();
    Parsed {
        roots: vec![root],
        errors: parser.errors,
    }
}

struct Word {
    value: String,
    span: Span,
}

enum Token {
    Word(Word),
    Semicolon(Span),
    Open(Span),
    Close(Span),
    End,
}

/// A directive whose name and arguments are read, waiting for its `;` or block.
struct Head {
    name: Word,
    args: Vec<Node>,
}

/// An open block.
struct Frame {
    /// `None` for a block with no directive before it: reported, read, then dropped.
    head: Option<Head>,
    open: Span,
    items: Vec<Node>,
}

struct Parser<'a> {
    file: &'a SourceFile,
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Last computed position (see [`Parser::pos`]).
    cursor: Pos,
    /// Set by an error after which the rest of the file cannot be read (an unterminated quote
    /// swallows it): later complaints would only echo that one.
    stopped: bool,
    errors: Vec<ParseError>,
}

impl<'a> Parser<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let text: &str = &file.text;
        Parser {
            file,
            text,
            bytes: text.as_bytes(),
            // nginx would read a byte-order mark as part of the first directive's name.
            at: if text.starts_with('\u{feff}') { 3 } else { 0 },
            cursor: file.pos(0),
            stopped: false,
            errors: Vec::new(),
        }
    }

    fn run(&mut self) -> Node {
        let mut top = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut pending: Option<Head> = None;
        loop {
            match self.next_token() {
                Token::Word(word) => match &mut pending {
                    Some(head) => head.args.push(Node::str(word.value, word.span)),
                    None => {
                        pending = Some(Head {
                            name: word,
                            args: Vec::new(),
                        })
                    }
                },
                Token::Semicolon(semi) => match pending.take() {
                    Some(head) => items(&mut top, &mut stack).push(directive(head, None, semi)),
                    None => self.error("unexpected `;` with no directive before it", semi),
                },
                Token::Open(open) => {
                    if let Some(head) =
                        pending.take_if(|head| head.name.value.ends_with("_by_lua_block"))
                    {
                        if let Some(node) = self.lua_block(head, open) {
                            items(&mut top, &mut stack).push(node);
                        }
                        continue;
                    }
                    if pending.is_none() {
                        self.error("unexpected `{` with no directive name before it", open);
                    }
                    if stack.len() >= MAX_DEPTH {
                        let message =
                            format!("blocks are nested more than {MAX_DEPTH} levels deep");
                        self.error(message, open);
                        self.stopped = true;
                        break;
                    }
                    stack.push(Frame {
                        head: pending.take(),
                        open,
                        items: Vec::new(),
                    });
                }
                Token::Close(close) => {
                    if let Some(head) = pending.take() {
                        let node = self.unterminated(head, "`}`");
                        items(&mut top, &mut stack).push(node);
                    }
                    match stack.pop() {
                        Some(frame) => {
                            let block = Node::list(frame.items, frame.open.to(&close));
                            if let Some(head) = frame.head {
                                let node = directive(head, Some(block), close);
                                items(&mut top, &mut stack).push(node);
                            }
                        }
                        None => self.error("unexpected `}` with no open block to close", close),
                    }
                }
                Token::End => break,
            }
        }
        if let Some(head) = pending.take()
            && !self.stopped
        {
            let node = self.unterminated(head, "the end of the file");
            items(&mut top, &mut stack).push(node);
        }
        if !self.stopped {
            for frame in &stack {
                self.error("`{` is never closed", frame.open);
            }
        }
        // Close what is still open, so rules see everything that was read.
        while let Some(frame) = stack.pop() {
            let end = frame.items.last().map_or(frame.open, |node| node.span);
            let block = Node::list(frame.items, frame.open.to(&end));
            if let Some(head) = frame.head {
                items(&mut top, &mut stack).push(directive(head, Some(block), end));
            }
        }
        let span = match (top.first(), top.last()) {
            (Some(first), Some(last)) => first.span.to(&last.span),
            _ => self.file.span(0..0),
        };
        Node::map(
            vec![(Key::new("directives", span), Node::list(top, span))],
            span,
        )
    }

    /// Reports a directive cut short by `found` and keeps what was read of it.
    fn unterminated(&mut self, head: Head, found: &str) -> Node {
        let name = shorten(&head.name.value);
        let message = format!("expected `;` to end the `{name}` directive, found {found}");
        self.error(message, head.name.span);
        let end = head.args.last().map_or(head.name.span, |arg| arg.span);
        directive(head, None, end)
    }

    /// Reads a Lua block's body after its `{`; it becomes the directive's last argument.
    fn lua_block(&mut self, mut head: Head, open: Span) -> Option<Node> {
        let start = open.end.offset;
        let Some(close) = lua_close(self.bytes, start) else {
            self.error("`{` of the Lua block is never closed", open);
            self.stopped = true;
            self.at = self.bytes.len();
            return None;
        };
        self.at = close + 1;
        let close_span = self.span(close..close + 1);
        let body = self.text.get(start..close).unwrap_or_default();
        head.args.push(Node::str(body, open.to(&close_span)));
        Some(directive(head, None, close_span))
    }

    fn next_token(&mut self) -> Token {
        loop {
            match self.bytes.get(self.at) {
                None => return Token::End,
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.at += 1,
                Some(b'#') => self.at = line_end(self.bytes, self.at),
                Some(_) => break,
            }
        }
        let start = self.at;
        match self.bytes.get(start) {
            Some(b';') => Token::Semicolon(self.punct(start)),
            Some(b'{') => Token::Open(self.punct(start)),
            Some(b'}') => Token::Close(self.punct(start)),
            Some(&quote @ (b'"' | b'\'')) => self.quoted(start, quote),
            _ => self.bare(start),
        }
    }

    fn punct(&mut self, at: usize) -> Span {
        self.at = at + 1;
        self.span(at..at + 1)
    }

    fn bare(&mut self, start: usize) -> Token {
        let mut i = start;
        // Just after `$`: a `{` there belongs to the word (`${name}`), and nginx keeps that
        // going for any further `{`.
        let mut variable = false;
        while let Some(&c) = self.bytes.get(i) {
            match c {
                b'{' if variable => {}
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' => break,
                b'\\' => {
                    variable = false;
                    i += 1;
                }
                _ => variable = c == b'$',
            }
            i += 1;
        }
        // A word ends at an ASCII delimiter or the end of the text, so on a char boundary.
        let end = i.min(self.bytes.len());
        self.at = end;
        let raw = self.text.get(start..end).unwrap_or_default();
        Token::Word(Word {
            value: unescape(raw),
            span: self.span(start..end),
        })
    }

    fn quoted(&mut self, start: usize, quote: u8) -> Token {
        let mut i = start + 1;
        loop {
            match self.bytes.get(i) {
                None => {
                    let at = self.span(start..start + 1);
                    self.error(
                        "unterminated quoted string: the closing quote is missing",
                        at,
                    );
                    self.stopped = true;
                    self.at = self.bytes.len();
                    return Token::End;
                }
                Some(b'\\') => i += 2,
                Some(&c) if c == quote => break,
                Some(_) => i += 1,
            }
        }
        self.at = i + 1;
        let raw = self.text.get(start + 1..i).unwrap_or_default();
        let word = Word {
            value: unescape(raw),
            span: self.span(start..i + 1),
        };
        // nginx refuses `"a"b`; the rest is read as a new word.
        if let Some(c) = self.text.get(i + 1..).and_then(|rest| rest.chars().next())
            && !matches!(c, ' ' | '\t' | '\r' | '\n' | ';' | '{' | ')')
        {
            let at = self.span(i + 1..i + 1 + c.len_utf8());
            let message =
                format!("expected a space, `;` or `{{` after the closing quote, found `{c}`");
            self.error(message, at);
        }
        Token::Word(word)
    }

    /// Position of an offset, counted from the previous one (tokens ask in increasing order).
    fn pos(&mut self, offset: usize) -> Pos {
        self.cursor = self.file.pos_from(self.cursor, offset);
        self.cursor
    }

    fn span(&mut self, range: std::ops::Range<usize>) -> Span {
        let start = self.pos(range.start);
        let end = self.pos(range.end.max(range.start));
        Span {
            source: self.file.id,
            start,
            end,
        }
    }

    fn error(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(ParseError {
            message: message.into(),
            span,
        });
    }
}

/// The list new directives go to: the innermost open block's, or the file's.
fn items<'v>(top: &'v mut Vec<Node>, stack: &'v mut [Frame]) -> &'v mut Vec<Node> {
    match stack.last_mut() {
        Some(frame) => &mut frame.items,
        None => top,
    }
}

/// A directive map; `end` is the span of its last piece (`;`, `}`, or the last word read).
fn directive(head: Head, block: Option<Node>, end: Span) -> Node {
    let Head { name, args } = head;
    let args_span = match (args.first(), args.last()) {
        (Some(first), Some(last)) => first.span.to(&last.span),
        // No arguments: an empty span just after the name.
        _ => Span {
            start: name.span.end,
            ..name.span
        },
    };
    let span = name.span.to(&end);
    let mut entries = vec![
        (
            Key::new("name", name.span),
            Node::str(name.value, name.span),
        ),
        (Key::new("args", args_span), Node::list(args, args_span)),
    ];
    if let Some(block) = block {
        entries.push((Key::new("block", block.span), block));
    }
    Node::map(entries, span)
}

/// A word's value as nginx reads it.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let decoded = match chars.peek() {
                Some(&e @ ('"' | '\'' | '\\')) => Some(e),
                Some('t') => Some('\t'),
                Some('r') => Some('\r'),
                Some('n') => Some('\n'),
                _ => None,
            };
            if let Some(d) = decoded {
                out.push(d);
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A name for a message, cut if it is long (a runaway word can be megabytes).
fn shorten(name: &str) -> String {
    match name.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", name.get(..i).unwrap_or_default()),
        None => name.to_owned(),
    }
}

/// Offset of the `\n` ending the line that holds `i`, or the end of the text.
fn line_end(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&c| c == b'\n'))
        .map_or(bytes.len(), |n| i + n)
}

/// Offset of the `}` closing a Lua block whose body starts at `from`: braces are counted
/// outside Lua strings and comments.
fn lua_close(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while let Some(&c) = bytes.get(i) {
        i = match c {
            b'{' => {
                depth += 1;
                i + 1
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
                i + 1
            }
            b'"' | b'\'' => short_string_end(bytes, i, c),
            b'[' => long_bracket(bytes, i).map_or(i + 1, |level| long_end(bytes, i, level)),
            b'-' if bytes.get(i + 1) == Some(&b'-') => match long_bracket(bytes, i + 2) {
                Some(level) => long_end(bytes, i + 2, level),
                None => line_end(bytes, i),
            },
            _ => i + 1,
        };
    }
    None
}

/// Offset just past a Lua string opened by the quote at `i`. An unescaped line break ends it
/// too (Lua rejects that anyway), so a stray quote cannot swallow the rest of the block.
fn short_string_end(bytes: &[u8], i: usize, quote: u8) -> usize {
    let mut j = i + 1;
    while let Some(&c) = bytes.get(j) {
        match c {
            b'\\' => j += 2,
            b'\n' => return j,
            _ if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// The level (number of `=`) of a Lua long bracket `[==[` opening at `i`.
fn long_bracket(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes.get(i) != Some(&b'[') {
        return None;
    }
    let level = equals_from(bytes, i + 1);
    (bytes.get(i + 1 + level) == Some(&b'[')).then_some(level)
}

/// Offset just past the `]==]` closing the long bracket opened at `i`, or the end of the text.
fn long_end(bytes: &[u8], i: usize, level: usize) -> usize {
    let mut j = i + level + 2;
    while let Some(&c) = bytes.get(j) {
        if c == b']' {
            let equals = equals_from(bytes, j + 1);
            if equals == level && bytes.get(j + 1 + equals) == Some(&b']') {
                return j + equals + 2;
            }
            // The `=` run cannot start a closing bracket: skip it, keeping the scan linear.
            j += 1 + equals;
        } else {
            j += 1;
        }
    }
    bytes.len()
}

fn equals_from(bytes: &[u8], i: usize) -> usize {
    bytes
        .get(i..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| c == b'=').count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use crate::parse::testing::{line_col, parse_as, parse_clean};

    fn clean(text: &str) -> (SourceFile, Node) {
        parse_clean(parse, "nginx.conf", text)
    }

    fn at<'n>(root: &'n Node, path: &str) -> &'n Node {
        root.get_path(path)
            .unwrap_or_else(|| panic!("no {path} in {}", root.to_json()))
    }

    fn text<'n>(root: &'n Node, path: &str) -> &'n str {
        at(root, path).as_str().expect("a string")
    }

    /// Directive names of a `directives` or `block` list.
    fn names<'n>(root: &'n Node, path: &str) -> Vec<&'n str> {
        at(root, path)
            .items()
            .iter()
            .map(|d| d.get("name").and_then(Node::as_str).expect("a name"))
            .collect()
    }

    fn args<'n>(root: &'n Node, path: &str) -> Vec<&'n str> {
        at(root, path)
            .items()
            .iter()
            .map(|a| a.as_str().expect("a string arg"))
            .collect()
    }

    /// The source under a node's span.
    fn src<'f>(file: &'f SourceFile, node: &Node) -> &'f str {
        file.slice(&node.span)
    }

    #[test]
    fn directive_name_args_and_spans() {
        let (file, root) = clean("user  www-data;\n  worker_processes auto ;\n");
        assert_eq!(
            root.to_json(),
            serde_json::json!({"directives": [
                {"name": "user", "args": ["www-data"]},
                {"name": "worker_processes", "args": ["auto"]},
            ]})
        );
        let user = at(&root, "directives.0");
        assert_eq!(line_col(&user.span), (1, 1));
        assert_eq!(src(&file, user), "user  www-data;");
        assert_eq!(line_col(&at(&root, "directives.0.name").span), (1, 1));
        assert_eq!(
            user.entries()[0].0.span,
            at(&root, "directives.0.name").span
        );
        let arg = at(&root, "directives.1.args.0");
        assert_eq!(line_col(&arg.span), (2, 20));
        assert_eq!((arg.span.end.line, arg.span.end.column), (2, 24));
        let second = at(&root, "directives.1");
        assert_eq!(src(&file, second), "worker_processes auto ;");
        assert_eq!(src(&file, at(&root, "directives.1.args")), "auto");
        // The root spans its directives, not the trailing newline.
        assert_eq!(root.span.start.offset, 0);
        assert_eq!(root.span.end.offset, file.text.len() - 1);
        assert!(user.get("block").is_none(), "no block key without a block");
    }

    #[test]
    fn nested_blocks_have_spans() {
        let text =
            "http {\n  server {\n    location / {\n      add_header X-A \"b c\";\n    }\n  }\n}\n";
        let (file, root) = clean(text);
        let add = at(&root, "directives.0.block.0.block.0.block.0");
        assert_eq!(add.get("name").and_then(Node::as_str), Some("add_header"));
        assert_eq!(line_col(&add.span), (4, 7));
        assert_eq!(src(&file, add), "add_header X-A \"b c\";");
        let value = at(add, "args.1");
        assert_eq!(value.as_str(), Some("b c"));
        assert_eq!(line_col(&value.span), (4, 22));
        assert_eq!(src(&file, value), "\"b c\"");
        let location = at(&root, "directives.0.block.0.block.0");
        assert_eq!(args(location, "args"), ["/"]);
        assert_eq!(line_col(&location.span), (3, 5));
        assert_eq!((location.span.end.line, location.span.end.column), (5, 6));
        let block = at(location, "block");
        assert_eq!(line_col(&block.span), (3, 16));
        assert!(src(&file, block).starts_with('{') && src(&file, block).ends_with('}'));
        let block_key = &location.entries()[2].0;
        assert_eq!((&*block_key.name, block_key.span), ("block", block.span));
        let http = at(&root, "directives.0");
        assert_eq!(src(&file, http), text.trim_end());
        // A directive without arguments has an empty `args` just after its name.
        let args_node = at(http, "args");
        assert_eq!(args_node.items().len(), 0);
        assert_eq!(args_node.span.start, at(http, "name").span.end);
        assert_eq!(args_node.span.start, args_node.span.end);
    }

    #[test]
    fn quoted_words_and_escapes() {
        let (file, root) = clean(concat!(
            "a \"x \\\"y\\\" \\\\ \\n\\t\\r\\q\" 'it\\'s' \"\" '{;}#';\n",
            "b c\\ d e\\;f \\\"g;\n",
        ));
        assert_eq!(
            args(&root, "directives.0.args"),
            ["x \"y\" \\ \n\t\r\\q", "it's", "", "{;}#"]
        );
        assert_eq!(src(&file, at(&root, "directives.0.args.1")), "'it\\'s'");
        assert_eq!(line_col(&at(&root, "directives.0.args.2").span), (1, 33));
        // Outside quotes a backslash keeps the next character in the word; nginx keeps the
        // backslash itself unless it is one of its escapes.
        assert_eq!(args(&root, "directives.1.args"), ["c\\ d", "e\\;f", "\"g"]);
        assert_eq!(src(&file, at(&root, "directives.1.args.0")), "c\\ d");
    }

    #[test]
    fn quote_inside_a_word_is_literal() {
        let (_, root) = clean("add_header a\"b 'c\"d';\n");
        assert_eq!(args(&root, "directives.0.args"), ["a\"b", "c\"d"]);
    }

    #[test]
    fn comments() {
        let text = "# head { ; \"\nuser nginx; # tail }\nhttp { # open\n  # inside ;\n  a#b c#d; listen 80 # between\n  ;\n}\n#end";
        let (file, root) = clean(text);
        assert_eq!(names(&root, "directives"), ["user", "http"]);
        assert_eq!(names(&root, "directives.1.block"), ["a#b", "listen"]);
        assert_eq!(args(&root, "directives.1.block.0.args"), ["c#d"]);
        assert_eq!(args(&root, "directives.1.block.1.args"), ["80"]);
        let listen = at(&root, "directives.1.block.1");
        assert_eq!(src(&file, listen), "listen 80 # between\n  ;");
        // The root starts at the first directive, after the leading comment.
        assert_eq!(line_col(&root.span), (2, 1));
        assert_eq!((root.span.end.line, root.span.end.column), (7, 2));
    }

    #[test]
    fn semicolon_and_brace_glued_to_words() {
        let (file, root) = clean(
            "location /{return 301;}\nlocation = /x{ return 200 \"ok\";}\nset $a ${b}c;\nset $c $d{\n}\n",
        );
        assert_eq!(
            names(&root, "directives"),
            ["location", "location", "set", "set"]
        );
        assert_eq!(args(&root, "directives.0.args"), ["/"]);
        assert_eq!(args(&root, "directives.0.block.0.args"), ["301"]);
        assert_eq!(src(&file, at(&root, "directives.0.block")), "{return 301;}");
        assert_eq!(line_col(&at(&root, "directives.0.block.0").span), (1, 12));
        assert_eq!(args(&root, "directives.1.args"), ["=", "/x"]);
        assert_eq!(args(&root, "directives.1.block.0.args"), ["200", "ok"]);
        // `${` does not end a word; `{` after anything else does.
        assert_eq!(args(&root, "directives.2.args"), ["$a", "${b}c"]);
        assert_eq!(args(&root, "directives.3.args"), ["$c", "$d"]);
        assert!(at(&root, "directives.3").get("block").is_some());
    }

    #[test]
    fn close_brace_inside_a_word_is_literal_as_in_nginx() {
        let (_, parsed) = parse_as(parse, "nginx.conf", "a { b c}\n");
        let messages: Vec<_> = parsed.errors.iter().map(|e| &e.message).collect();
        assert_eq!(
            messages,
            [
                "expected `;` to end the `b` directive, found the end of the file",
                "`{` is never closed"
            ]
        );
        assert_eq!(args(&parsed.roots[0], "directives.0.block.0.args"), ["c}"]);
    }

    #[test]
    fn if_condition_words_are_kept_as_nginx_reads_them() {
        let (_, root) = clean("if ($http_x ~* \"^a b$\") { return 403; }\nif ($a){ }\n");
        assert_eq!(
            args(&root, "directives.0.args"),
            ["($http_x", "~*", "^a b$", ")"]
        );
        assert_eq!(args(&root, "directives.1.args"), ["($a)"]);
    }

    #[test]
    fn include_is_a_plain_directive() {
        let (file, root) = clean("http {\n  include mime.types;\n  include conf.d/*.conf;\n}\n");
        let include = at(&root, "directives.0.block.1");
        assert_eq!(text(include, "name"), "include");
        assert_eq!(args(include, "args"), ["conf.d/*.conf"]);
        assert_eq!(line_col(&at(include, "args.0").span), (3, 11));
        assert_eq!(src(&file, include), "include conf.d/*.conf;");
    }

    #[test]
    fn crlf_line_breaks() {
        let (file, root) =
            clean("# c\r\nhttp {\r\n\tlisten 80; # x\r\n  server_name \"a\r\nb\";\r\n}\r\n");
        let listen = at(&root, "directives.0.block.0");
        assert_eq!(line_col(&listen.span), (3, 2));
        assert_eq!(src(&file, listen), "listen 80;");
        let name = at(&root, "directives.0.block.1.args.0");
        assert_eq!(name.as_str(), Some("a\r\nb"));
        assert_eq!(line_col(&name.span), (4, 15));
        assert_eq!((name.span.end.line, name.span.end.column), (5, 3));
        assert_eq!((root.span.end.line, root.span.end.column), (6, 2));
    }

    #[test]
    fn columns_count_characters() {
        let (_, root) = clean("server_name é.example ü;\n  return 200 \"ñ\"; x y;");
        assert_eq!(line_col(&at(&root, "directives.0.args.1").span), (1, 23));
        assert_eq!(line_col(&at(&root, "directives.1.args.1").span), (2, 14));
        assert_eq!(line_col(&at(&root, "directives.2").span), (2, 19));
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let (_, root) = clean("\u{feff}user nginx;");
        assert_eq!(text(&root, "directives.0.name"), "user");
        assert_eq!(line_col(&at(&root, "directives.0").span), (1, 2));
    }

    #[test]
    fn empty_and_comment_only_files() {
        for text in ["", "\n\n", "# only a comment", "  \t\r\n# a\n# b\n"] {
            let (_, root) = clean(text);
            assert_eq!(root.to_json(), serde_json::json!({"directives": []}));
            assert_eq!(line_col(&root.span), (1, 1));
        }
    }

    #[test]
    fn lua_block_body_is_one_argument() {
        let text = concat!(
            "location /t {\n",
            "  content_by_lua_block {\n",
            "    local t = { a = \"}\", b = '{' } -- } in a comment\n",
            "    local s = [==[ } ]] ]=] ]==] --[[ { ]] x = [[}]]\n",
            "    if t then ngx.say(\"\\\"}\") end\n",
            "  }\n",
            "  set_by_lua_block $res { return ngx.var.a }\n",
            "  access_by_lua_block {}\n",
            "  add_header X y;\n",
            "}\n",
        );
        let (file, root) = clean(text);
        let block = at(&root, "directives.0.block");
        assert_eq!(
            names(&root, "directives.0.block"),
            [
                "content_by_lua_block",
                "set_by_lua_block",
                "access_by_lua_block",
                "add_header"
            ]
        );
        let body = at(block, "0.args.0");
        let expected = text
            .split_once("content_by_lua_block {")
            .and_then(|(_, rest)| rest.split_once("\n  }\n"))
            .map(|(body, _)| format!("{body}\n  "))
            .expect("body");
        assert_eq!(body.as_str(), Some(expected.as_str()));
        assert_eq!(line_col(&body.span), (2, 24));
        assert_eq!((body.span.end.line, body.span.end.column), (6, 4));
        assert!(src(&file, body).starts_with('{') && src(&file, body).ends_with('}'));
        assert!(at(block, "0").get("block").is_none());
        assert_eq!(src(&file, at(block, "0")).lines().count(), 5);
        assert_eq!(args(block, "1.args"), ["$res", " return ngx.var.a "]);
        assert_eq!(
            src(&file, at(block, "1")),
            "set_by_lua_block $res { return ngx.var.a }"
        );
        assert_eq!(args(block, "2.args"), [""]);
    }

    #[test]
    fn lua_string_broken_by_a_line_end_does_not_swallow_the_block() {
        let (_, root) = clean("init_by_lua_block {\n  print(\"it's\n}\nuser x;\n");
        assert_eq!(names(&root, "directives"), ["init_by_lua_block", "user"]);
    }

    #[test]
    fn unclosed_lua_block() {
        let (_, parsed) = parse_as(
            parse,
            "nginx.conf",
            "user a;\ncontent_by_lua_block {\n  x = [[ } ]]\n",
        );
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(
            parsed.errors[0].message,
            "`{` of the Lua block is never closed"
        );
        assert_eq!(line_col(&parsed.errors[0].span), (2, 22));
        assert_eq!(names(&parsed.roots[0], "directives"), ["user"]);
    }

    #[test]
    fn unterminated_block_keeps_what_was_read() {
        let text = "user a;\nhttp {\n  server {\n    listen 80;\n  }\n  gzip on;\n";
        let (_, parsed) = parse_as(parse, "nginx.conf", text);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(parsed.errors[0].message, "`{` is never closed");
        assert_eq!(line_col(&parsed.errors[0].span), (2, 6));
        let root = &parsed.roots[0];
        assert_eq!(names(root, "directives"), ["user", "http"]);
        assert_eq!(names(root, "directives.1.block"), ["server", "gzip"]);
        // The open block spans up to the last directive read.
        let http = at(root, "directives.1");
        assert_eq!((http.span.end.line, http.span.end.column), (6, 11));
        assert_eq!(at(http, "block").span.end, http.span.end);
    }

    #[test]
    fn every_unclosed_block_is_reported() {
        let (_, parsed) = parse_as(parse, "nginx.conf", "a {\n b {\n  c {");
        let places: Vec<_> = parsed.errors.iter().map(|e| line_col(&e.span)).collect();
        assert_eq!(places, [(1, 3), (2, 4), (3, 5)]);
        assert_eq!(
            text(&parsed.roots[0], "directives.0.block.0.block.0.name"),
            "c"
        );
    }

    #[test]
    fn stray_close_brace_is_reported_and_parsing_goes_on() {
        let (_, parsed) = parse_as(parse, "nginx.conf", "user a;\n}\nhttp { }\n  }\npid x;\n");
        let errors: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.message.as_str(), line_col(&e.span)))
            .collect();
        assert_eq!(
            errors,
            [
                ("unexpected `}` with no open block to close", (2, 1)),
                ("unexpected `}` with no open block to close", (4, 3)),
            ]
        );
        assert_eq!(
            names(&parsed.roots[0], "directives"),
            ["user", "http", "pid"]
        );
    }

    #[test]
    fn missing_semicolon_before_close_brace() {
        let text = "server {\n  listen 80\n}\nuser a;\n";
        let (file, parsed) = parse_as(parse, "nginx.conf", text);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        let error = &parsed.errors[0];
        assert_eq!(
            error.message,
            "expected `;` to end the `listen` directive, found `}`"
        );
        assert_eq!(line_col(&error.span), (2, 3));
        assert_eq!(file.slice(&error.span), "listen");
        let root = &parsed.roots[0];
        assert_eq!(names(root, "directives"), ["server", "user"]);
        let listen = at(root, "directives.0.block.0");
        assert_eq!(args(listen, "args"), ["80"]);
        assert_eq!(file.slice(&listen.span), "listen 80");
    }

    #[test]
    fn missing_semicolon_at_end_of_file() {
        let (_, parsed) = parse_as(parse, "nginx.conf", "user a;\npid /run/x.pid");
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(
            parsed.errors[0].message,
            "expected `;` to end the `pid` directive, found the end of the file"
        );
        assert_eq!(line_col(&parsed.errors[0].span), (2, 1));
        assert_eq!(names(&parsed.roots[0], "directives"), ["user", "pid"]);
    }

    #[test]
    fn unterminated_quote_is_reported_at_the_quote() {
        let text = "user a;\nhttp {\n  add_header X \"abc;\n}\n";
        let (_, parsed) = parse_as(parse, "nginx.conf", text);
        // The quote swallows the rest, so the unclosed `http {` is not reported again.
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(
            parsed.errors[0].message,
            "unterminated quoted string: the closing quote is missing"
        );
        assert_eq!(line_col(&parsed.errors[0].span), (3, 16));
        let root = &parsed.roots[0];
        assert_eq!(names(root, "directives"), ["user", "http"]);
        assert_eq!(names(root, "directives.1.block"), Vec::<&str>::new());
    }

    #[test]
    fn stray_semicolon_and_brace() {
        let (_, parsed) = parse_as(parse, "nginx.conf", "user a;;\n{ pid x; }\ngzip on;\n");
        let errors: Vec<_> = parsed
            .errors
            .iter()
            .map(|e| (e.message.as_str(), line_col(&e.span)))
            .collect();
        assert_eq!(
            errors,
            [
                ("unexpected `;` with no directive before it", (1, 8)),
                ("unexpected `{` with no directive name before it", (2, 1)),
            ]
        );
        assert_eq!(names(&parsed.roots[0], "directives"), ["user", "gzip"]);
    }

    #[test]
    fn word_glued_after_a_closing_quote() {
        let (_, parsed) = parse_as(parse, "nginx.conf", "a \"b\"c;\n");
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        assert_eq!(
            parsed.errors[0].message,
            "expected a space, `;` or `{` after the closing quote, found `c`"
        );
        assert_eq!(line_col(&parsed.errors[0].span), (1, 6));
        assert_eq!(args(&parsed.roots[0], "directives.0.args"), ["b", "c"]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let ok = format!("{}{}", "a {".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        clean(&ok);
        let text = "a {".repeat(100_000);
        let (_, parsed) = parse_as(parse, "nginx.conf", &text);
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors.first());
        assert_eq!(
            parsed.errors[0].message,
            "blocks are nested more than 32 levels deep"
        );
        assert_eq!(parsed.errors[0].span.start.offset, 3 * MAX_DEPTH + 2);
        assert_eq!(parsed.roots.len(), 1);
    }

    #[test]
    fn long_lines_stay_linear() {
        let ascii = "add_header a \"b\";".repeat(60_000);
        let (_, root) = clean(&ascii);
        assert_eq!(at(&root, "directives").items().len(), 60_000);
        let wide = "é b 'ü';".repeat(120_000);
        let (_, root) = clean(&wide);
        let last = at(&root, "directives.119999.args.1");
        assert_eq!(line_col(&last.span), (1, 119_999 * 8 + 5));
        let word = "x".repeat(1 << 20);
        let (_, parsed) = parse_as(parse, "nginx.conf", &word);
        assert!(
            parsed.errors[0]
                .message
                .contains("`xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…`")
        );
    }

    /// A span lies on char boundaries and agrees with `SourceFile::pos`.
    fn check_span(file: &SourceFile, span: &Span) {
        assert!(file.text.get(span.byte_range()).is_some(), "{span:?}");
        assert_eq!(span.start, file.pos(span.start.offset));
        assert_eq!(span.end, file.pos(span.end.offset));
    }

    fn check_spans(file: &SourceFile, node: &Node) {
        check_span(file, &node.span);
        match &node.value {
            Value::List(items) => items.iter().for_each(|n| check_spans(file, n)),
            Value::Map(entries) => entries.iter().for_each(|(k, n)| {
                check_span(file, &k.span);
                check_spans(file, n)
            }),
            _ => {}
        }
    }

    #[test]
    fn garbage_never_panics_and_spans_stay_exact() {
        let alphabet = [
            "a",
            "{",
            "}",
            ";",
            "\"",
            "'",
            "\\",
            "#",
            "$",
            " ",
            "\n",
            "é",
            "_by_lua_block",
            "-",
            "[",
        ];
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            inputs = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            for text in &inputs {
                let (file, parsed) = parse_as(parse, "nginx.conf", text);
                assert_eq!(parsed.roots.len(), 1);
                check_spans(&file, &parsed.roots[0]);
                for error in &parsed.errors {
                    check_span(&file, &error.span);
                }
            }
        }
    }

    const REAL_WORLD: &str = r#"user www-data;
worker_processes auto;
pid /run/nginx.pid;

events {
    worker_connections 1024;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;

    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent';

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      close;
    }

    upstream app {
        least_conn;
        server 10.0.0.10:8000 weight=3 max_fails=2;
        server 10.0.0.11:8000 backup;
        keepalive 32;
    }

    # Plain HTTP only redirects.
    server {
        listen 80;
        listen [::]:80;
        server_name example.com www.example.com;
        return 301 https://$host$request_uri;
    }

    server {
        listen 443 ssl http2;
        server_name example.com;

        ssl_certificate     /etc/ssl/certs/example.com.pem;
        ssl_certificate_key /etc/ssl/private/example.com.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers HIGH:!aNULL:!MD5;

        add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;
        add_header X-Frame-Options DENY;

        if ($http_user_agent ~* "(bot|crawler)") {
            return 403;
        }

        location / {
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_set_header Connection $connection_upgrade;
        }

        location ~* \.(js|css)$ {
            expires 30d;
            add_header Cache-Control "public, max-age=2592000";
        }
    }
}
"#;

    #[test]
    fn real_world_config() {
        let (file, root) = clean(REAL_WORLD);
        assert_eq!(REAL_WORLD.lines().count(), 64);
        assert_eq!(
            names(&root, "directives"),
            ["user", "worker_processes", "pid", "events", "http"]
        );
        assert_eq!(
            names(&root, "directives.4.block"),
            [
                "include",
                "default_type",
                "server_tokens",
                "log_format",
                "map",
                "upstream",
                "server",
                "server"
            ]
        );
        let http = at(&root, "directives.4.block");
        assert_eq!(
            args(http, "3.args"),
            [
                "main",
                "$remote_addr - $remote_user [$time_local] \"$request\" ",
                "$status $body_bytes_sent"
            ]
        );
        assert_eq!(line_col(&at(http, "3.args.2").span), (15, 21));
        // A map entry's key can be an empty quoted string.
        assert_eq!(
            args(http, "4.args"),
            ["$http_upgrade", "$connection_upgrade"]
        );
        assert_eq!(text(http, "4.block.1.name"), "");
        assert_eq!(src(&file, at(http, "4.block.1.name")), "''");
        assert_eq!(args(http, "4.block.1.args"), ["close"]);
        assert_eq!(
            names(http, "5.block"),
            ["least_conn", "server", "server", "keepalive"]
        );
        assert_eq!(
            args(http, "5.block.1.args"),
            ["10.0.0.10:8000", "weight=3", "max_fails=2"]
        );

        let redirect = at(http, "6");
        assert_eq!(line_col(&redirect.span), (30, 5));
        assert_eq!(args(redirect, "block.1.args"), ["[::]:80"]);
        assert_eq!(
            args(redirect, "block.3.args"),
            ["301", "https://$host$request_uri"]
        );

        let ssl = at(http, "7.block");
        assert_eq!(
            names(ssl, ""),
            [
                "listen",
                "server_name",
                "ssl_certificate",
                "ssl_certificate_key",
                "ssl_protocols",
                "ssl_ciphers",
                "add_header",
                "add_header",
                "if",
                "location",
                "location"
            ]
        );
        assert_eq!(args(ssl, "0.args"), ["443", "ssl", "http2"]);
        let hsts = at(ssl, "6.args.1");
        assert_eq!(hsts.as_str(), Some("max-age=63072000; includeSubDomains"));
        assert_eq!(line_col(&hsts.span), (46, 46));
        assert_eq!(
            args(ssl, "8.args"),
            ["($http_user_agent", "~*", "(bot|crawler)", ")"]
        );
        assert_eq!(args(ssl, "8.block.0.args"), ["403"]);
        let assets = at(ssl, "10");
        assert_eq!(args(assets, "args"), ["~*", "\\.(js|css)$"]);
        assert_eq!(line_col(&assets.span), (59, 9));
        assert_eq!((assets.span.end.line, assets.span.end.column), (62, 10));
        assert_eq!(
            args(assets, "block.1.args"),
            ["Cache-Control", "public, max-age=2592000"]
        );
        assert_eq!(line_col(&at(assets, "block.1").span), (61, 13));
    }

    /// nginx configuration files of the shared corpus, when it is present.
    #[test]
    fn corpus_files_parse_without_errors() {
        let files = crate::parse::testing::corpus_files(|path| {
            let full = path.to_string_lossy();
            let name = path
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let nginx_dir = full.contains("/conf.d/") || full.contains("/h5bp/");
            let conf = name.ends_with(".conf") && full.contains("nginx");
            nginx_dir || conf || name.starts_with("nginx.conf")
        });
        if files.is_empty() {
            return;
        }
        let mut includes = 0;
        for path in &files {
            let Ok(source) = std::fs::read_to_string(path) else {
                continue;
            };
            let (file, parsed) = parse_as(parse, &path.to_string_lossy(), &source);
            assert_eq!(parsed.errors, vec![], "{}", path.display());
            check_spans(&file, &parsed.roots[0]);
            includes += source
                .lines()
                .filter(|l| l.trim_start().starts_with("include "))
                .count();
        }
        eprintln!("parsed {} nginx files from the corpus", files.len());
        assert!(includes > 0);
    }
}

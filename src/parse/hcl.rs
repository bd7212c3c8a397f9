//! HCL / Terraform adapter over `hcl-edit`.
//!
//! The tree follows Terraform's JSON configuration syntax, so policies address
//! `resource.aws_s3_bucket.logs.acl`: a block's type and labels become nested map levels ending
//! in the block's body. Expressions that are not literals are kept as `{"$expr": "<source>"}`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Structure};
use hcl_edit::template::Element;

use super::{ParseError, Parsed};
use crate::model::{Key, Node, SourceFile, Span, Value};

/// Key of the map that stands for a non-literal expression.
const EXPR_KEY: &str = "$expr";

/// Labels per block; Terraform uses at most two. Labels are not nested in the source, so
/// hcl-edit's own nesting limit does not bound them, but each becomes a tree level here.
const MAX_LABELS: usize = 8;

pub fn parse(file: &SourceFile) -> Parsed {
    // hcl-edit bounds the nesting of blocks and expressions (64 levels) and of binary operators,
    // so deep input is a parse error before any recursion below.
    let body = match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => body,
        Err(err) => return Parsed::failed(syntax_error(file, &err)),
    };
    let conv = Converter { file };
    let range = match (body.iter().next(), body.iter().last()) {
        (Some(first), Some(last)) => range(first).start..range(last).end,
        _ => 0..0,
    };
    match conv.body(body.iter(), true) {
        Ok(entries) => Parsed::one(Node::map(entries, file.span(range))),
        Err(err) => Parsed::failed(err),
    }
}

/// Turns hcl-edit's error into one at the exact place, saying what was found there.
fn syntax_error(file: &SourceFile, err: &hcl_edit::parser::Error) -> ParseError {
    let text = &*file.text;
    let location = err.location();
    let mut offset = file.pos(location.offset()).offset;
    // hcl-edit clamps an error at the end of input onto the last byte and adds one column.
    if offset + 1 == text.len() && location.column() > file.pos(offset).column as usize {
        offset = text.len();
    }
    let rest = text.get(offset..).unwrap_or_default();
    let found = match rest.chars().next() {
        None => "end of file".to_string(),
        Some('\n' | '\r') => "end of line".to_string(),
        Some(c) => format!("`{}`", c.escape_debug()),
    };
    let message = match err.message() {
        m if m.starts_with("invalid expression;") => {
            format!("expected an expression, found {found}")
        }
        // A structure that failed as a whole backtracks to its first character.
        "unexpected token" if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
            "cannot parse this attribute or block; look for an unclosed string, bracket or brace"
                .to_string()
        }
        "unexpected token" => format!("unexpected {found}"),
        m if m.contains("found") => m.to_string(),
        m => format!("{m}, found {found}"),
    };
    // An error at the end of the file is shown right after its last visible character.
    let at = if rest.is_empty() {
        text.trim_end().len()
    } else {
        offset
    };
    ParseError {
        message,
        span: file.span(at..at),
    }
}

/// How several blocks with the same type and labels in one body are represented.
enum Repeat {
    /// A list of their bodies, in order.
    List,
    /// One map with all their attributes and blocks, as if written in one block.
    Merge,
    /// One entry each under the same key, so a rule can flag the redeclaration.
    Duplicate,
}

fn repeat_mode(top_level: bool, block_type: &str, labeled: bool) -> Repeat {
    match block_type {
        _ if !top_level => Repeat::List,
        // Terraform merges these itself.
        "locals" | "terraform" => Repeat::Merge,
        // Aliased providers repeat the same label.
        "provider" => Repeat::List,
        // `resource`, `data`, `module`, `variable`, ...: the same name twice is an error.
        _ if labeled => Repeat::Duplicate,
        // `moved`, `import`, `removed`, ...: genuinely repeated.
        _ => Repeat::List,
    }
}

/// The blocks of one body that share a type (and, one level down, a label), in source order.
struct Group<'a> {
    /// The type or label key of the first block that contributed.
    key: Key,
    /// The span of the first block that contributed.
    span: Span,
    /// Blocks whose labels end at this level.
    blocks: Vec<&'a Block>,
    /// Next label level, by first appearance.
    children: Vec<Group<'a>>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Group<'a> {
    fn new(key: Key, span: Span) -> Self {
        Group {
            key,
            span,
            blocks: Vec::new(),
            children: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn add(&mut self, block: &'a Block, conv: &Converter) {
        let mut group = self;
        for label in &block.labels {
            let i = *group.index.entry(label.as_str()).or_insert_with(|| {
                let key = conv.label_key(label);
                group.children.push(Group::new(key, conv.span(block)));
                group.children.len() - 1
            });
            group = &mut group.children[i];
        }
        group.blocks.push(block);
    }
}

/// One entry of a body in source order: an attribute, or the first block of a type.
enum Slot<'a> {
    Attr(&'a Attribute),
    Blocks(Group<'a>),
}

struct Converter<'f> {
    file: &'f SourceFile,
}

impl Converter<'_> {
    fn span(&self, item: &impl hcl_edit::Span) -> Span {
        self.file.span(range(item))
    }

    fn block_key(&self, block: &Block) -> Key {
        Key::new(block.ident.as_str(), self.span(&block.ident))
    }

    fn label_key(&self, label: &BlockLabel) -> Key {
        Key::new(label.as_str(), self.span(label))
    }

    /// The key a block's body sits under: its last label, or its type.
    fn own_key(&self, block: &Block) -> Key {
        match block.labels.last() {
            Some(label) => self.label_key(label),
            None => self.block_key(block),
        }
    }

    fn body<'a>(
        &self,
        structures: impl Iterator<Item = &'a Structure>,
        top_level: bool,
    ) -> Result<Vec<(Key, Node)>, ParseError> {
        let mut slots = Vec::new();
        let mut groups: HashMap<&str, usize> = HashMap::new();
        for structure in structures {
            match structure {
                Structure::Attribute(attr) => slots.push(Slot::Attr(attr)),
                Structure::Block(block) => {
                    if let Some(label) = block.labels.get(MAX_LABELS) {
                        return Err(ParseError {
                            message: format!("too many block labels (at most {MAX_LABELS})"),
                            span: self.span(label),
                        });
                    }
                    let i = *groups.entry(block.ident.as_str()).or_insert_with(|| {
                        let group = Group::new(self.block_key(block), self.span(block));
                        slots.push(Slot::Blocks(group));
                        slots.len() - 1
                    });
                    if let Some(Slot::Blocks(group)) = slots.get_mut(i) {
                        group.add(block, self);
                    }
                }
            }
        }

        let mut entries = Vec::with_capacity(slots.len());
        for slot in &slots {
            match slot {
                Slot::Attr(attr) => entries.push(self.attribute(attr)),
                Slot::Blocks(group) => {
                    self.group(group, top_level, &group.key.name, 0, &mut entries)?
                }
            }
        }
        Ok(entries)
    }

    /// Appends the entries of a group at label depth `depth` (0: the block type).
    fn group(
        &self,
        group: &Group,
        top_level: bool,
        block_type: &str,
        depth: usize,
        out: &mut Vec<(Key, Node)>,
    ) -> Result<(), ParseError> {
        match group.blocks.as_slice() {
            [] => {}
            [block] => out.push((self.own_key(block), self.block(block)?)),
            blocks => match repeat_mode(top_level, block_type, depth > 0) {
                Repeat::List => {
                    let items = blocks
                        .iter()
                        .map(|block| self.block(block))
                        .collect::<Result<Vec<_>, _>>()?;
                    let span = match (items.first(), items.last()) {
                        (Some(first), Some(last)) => first.span.to(&last.span),
                        _ => group.span,
                    };
                    out.push((group.key.clone(), Node::list(items, span)));
                }
                Repeat::Merge => {
                    let structures = blocks.iter().flat_map(|block| block.body.iter());
                    let merged = Node::map(self.body(structures, false)?, group.span);
                    out.push((group.key.clone(), merged));
                }
                Repeat::Duplicate => {
                    for block in blocks {
                        out.push((self.own_key(block), self.block(block)?));
                    }
                }
            },
        }
        // Blocks with more labels go one level down. If this level has blocks of its own too
        // (mixed label counts, invalid in Terraform), the key appears twice.
        if !group.children.is_empty() {
            let mut entries = Vec::with_capacity(group.children.len());
            for child in &group.children {
                self.group(child, top_level, block_type, depth + 1, &mut entries)?;
            }
            out.push((group.key.clone(), Node::map(entries, group.span)));
        }
        Ok(())
    }

    fn block(&self, block: &Block) -> Result<Node, ParseError> {
        let entries = self.body(block.body.iter(), false)?;
        Ok(Node::map(entries, self.span(block)))
    }

    fn attribute(&self, attr: &Attribute) -> (Key, Node) {
        let key = Key::new(attr.key.as_str(), self.span(&attr.key));
        (key, self.expr(&attr.value))
    }

    fn expr(&self, expr: &Expression) -> Node {
        let span = self.span(expr);
        let value = match expr {
            Expression::Null(_) => Some(Value::Null),
            Expression::Bool(b) => Some(Value::Bool(*b.value())),
            // hcl-edit stores `1.0` as an integer; follow the spelling as the other formats do.
            // Integers beyond i64 are floats too.
            Expression::Number(n) => match n.as_i64() {
                Some(i) if !self.file.slice(&span).contains(['.', 'e', 'E']) => Some(Value::Int(i)),
                _ => n.as_f64().map(Value::Float),
            },
            Expression::String(s) => Some(Value::Str(s.as_str().into())),
            Expression::StringTemplate(t) => literal_text(t.iter()).map(Value::Str),
            Expression::HeredocTemplate(h) => literal_text(h.template.iter()).map(Value::Str),
            Expression::Array(array) => Some(Value::List(
                array.iter().map(|item| self.expr(item)).collect(),
            )),
            Expression::Object(object) => Some(Value::Map(
                object
                    .iter()
                    .map(|(k, v)| (self.object_key(k), self.expr(v.expr())))
                    .collect(),
            )),
            _ => None,
        };
        match value {
            Some(value) => Node::new(value, span),
            None => {
                let text = Node::str(self.file.slice(&span), span);
                Node::map(vec![(Key::new(EXPR_KEY, span), text)], span)
            }
        }
    }

    /// An identifier or string key by its name; any other key expression by its source text.
    fn object_key(&self, key: &ObjectKey) -> Key {
        let span = self.span(key);
        match key {
            ObjectKey::Ident(ident) => Key::new(ident.as_str(), span),
            ObjectKey::Expression(Expression::String(s)) => Key::new(s.as_str(), span),
            ObjectKey::Expression(_) => Key::new(self.file.slice(&span), span),
        }
    }
}

/// Byte range of a parsed item. hcl-edit sets one on everything it parses; the empty fallback
/// only guards against a missing one.
fn range(item: &impl hcl_edit::Span) -> Range<usize> {
    item.span().unwrap_or_default()
}

/// The text of a template made only of literals (escapes already decoded by the parser).
fn literal_text<'t>(mut elements: impl Iterator<Item = &'t Element>) -> Option<Arc<str>> {
    elements
        .try_fold(String::new(), |mut text, element| {
            text.push_str(element.as_literal()?);
            Some(text)
        })
        .map(Arc::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;
    use serde_json::json;

    fn parse_text(text: &str) -> Parsed {
        parse(&SourceFile::new(SourceId(0), "main.tf", text))
    }

    fn root(text: &str) -> Node {
        let mut parsed = parse_text(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.roots.len(), 1);
        parsed.roots.remove(0)
    }

    fn error(text: &str) -> ParseError {
        let parsed = parse_text(text);
        assert!(parsed.roots.is_empty());
        assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
        parsed.errors[0].clone()
    }

    /// Line and column where a span starts.
    fn at(span: Span) -> (u32, u32) {
        (span.start.line, span.start.column)
    }

    fn node<'n>(root: &'n Node, path: &str) -> &'n Node {
        root.get_path(path)
            .unwrap_or_else(|| panic!("no {path} in {}", root.to_json()))
    }

    /// The key of the last entry named `name` in a map.
    fn key<'n>(map: &'n Node, name: &str) -> &'n Key {
        let found = map.entries().iter().rev().find(|(k, _)| &*k.name == name);
        &found.unwrap_or_else(|| panic!("no key {name}")).0
    }

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.byte_range()]
    }

    const BUCKET: &str = r#"terraform {
  required_version = ">= 1.5"
}

resource "aws_s3_bucket" "logs" {
  bucket = "my-logs"
  acl    = "private"

  versioning {
    enabled = true
  }

  tags = {
    Name = "logs"
    "team-name" = "infra"
  }
  cidrs = ["10.0.0.0/8", "192.168.0.0/16"]
}
"#;

    #[test]
    fn resource_shape() {
        let root = root(BUCKET);
        assert_eq!(
            root.to_json(),
            json!({
                "terraform": {"required_version": ">= 1.5"},
                "resource": {"aws_s3_bucket": {"logs": {
                    "bucket": "my-logs",
                    "acl": "private",
                    "versioning": {"enabled": true},
                    "tags": {"Name": "logs", "team-name": "infra"},
                    "cidrs": ["10.0.0.0/8", "192.168.0.0/16"],
                }}}
            })
        );
    }

    #[test]
    fn spans_of_keys_and_values() {
        let root = root(BUCKET);
        // Top-level attribute inside `terraform`, and its value with quotes.
        let terraform = node(&root, "terraform");
        assert_eq!(at(key(terraform, "required_version").span), (2, 3));
        let version = node(&root, "terraform.required_version");
        assert_eq!(at(version.span), (2, 22));
        assert_eq!(text_of(BUCKET, version.span), "\">= 1.5\"");

        // Label keys carry the label's span, quotes included.
        let resource = node(&root, "resource");
        let bucket_type = key(resource, "aws_s3_bucket");
        assert_eq!(at(bucket_type.span), (5, 10));
        assert_eq!(text_of(BUCKET, bucket_type.span), "\"aws_s3_bucket\"");
        let logs = key(node(&root, "resource.aws_s3_bucket"), "logs");
        assert_eq!(at(logs.span), (5, 26));
        assert_eq!(text_of(BUCKET, logs.span), "\"logs\"");
        assert_eq!(at(key(&root, "resource").span), (5, 1));

        // Nested block attribute key and value.
        let versioning = node(&root, "resource.aws_s3_bucket.logs.versioning");
        assert_eq!(at(key(versioning, "enabled").span), (10, 5));
        assert_eq!(at(node(versioning, "enabled").span), (10, 15));
        assert_eq!(
            text_of(BUCKET, versioning.span),
            "versioning {\n    enabled = true\n  }"
        );

        // Object keys (identifier and quoted) and list items.
        let tags = node(&root, "resource.aws_s3_bucket.logs.tags");
        assert_eq!(at(key(tags, "Name").span), (14, 5));
        assert_eq!(
            text_of(BUCKET, key(tags, "team-name").span),
            "\"team-name\""
        );
        let cidr = node(&root, "resource.aws_s3_bucket.logs.cidrs.1");
        assert_eq!(at(cidr.span), (17, 26));
        assert_eq!(text_of(BUCKET, cidr.span), "\"192.168.0.0/16\"");

        // A block body spans the whole block; the root spans first to last structure.
        let body = node(&root, "resource.aws_s3_bucket.logs");
        assert_eq!(at(body.span), (5, 1));
        assert_eq!((body.span.end.line, body.span.end.column), (18, 2));
        assert_eq!(root.span.start.offset, 0);
        assert_eq!(root.span.end.offset, BUCKET.trim_end().len());
    }

    /// Every node and key of a varied file has a real span, and keys span their own text.
    #[test]
    fn every_span_is_set() {
        let text = r#"terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
variable "names" {
  type    = list(string)
  default = ["a", "b"]
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*", "arn:x"]
  }
  statement {
    effect = "Deny"
  }
}
module "m" {
  source = "./m"
  count  = var.on ? 1 : 0
  nested = { a = [1, 2.5, { b = null }], "c d" = <<-EOT
    text
    EOT
  }
}
output "o" {
  value = { for k, v in var.m : k => v if v != null }
}
"#;
        fn walk(text: &str, node: &Node) {
            let span = node.span;
            assert!(span.start.offset < span.end.offset, "{span:?}");
            assert!(span.end.offset <= text.len());
            for (key, value) in node.entries() {
                let key_text = &text[key.span.byte_range()];
                assert!(
                    *key_text == *key.name
                        || key_text == format!("\"{}\"", key.name)
                        || &*key.name == EXPR_KEY,
                    "{key_text} for {}",
                    key.name
                );
                walk(text, value);
            }
            for item in node.items() {
                walk(text, item);
            }
        }
        walk(text, &root(text));
    }

    #[test]
    fn merged_resource_types_and_duplicate_names() {
        let text = r#"resource "aws_s3_bucket" "a" {
  acl = "private"
}

resource "aws_instance" "b" {
  ami = "x"
}

resource "aws_s3_bucket" "c" {}

resource "aws_s3_bucket" "a" {
  acl = "public-read"
}
"#;
        let root = root(text);
        assert_eq!(root.entries().len(), 1, "one `resource` key");
        let resource = node(&root, "resource");
        // The grouping map takes the span of the first block that contributed to it.
        assert_eq!(
            text_of(text, resource.span),
            "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"private\"\n}"
        );
        let types: Vec<_> = resource.entries().iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(types, ["aws_s3_bucket", "aws_instance"]);
        assert_eq!(
            node(&root, "resource.aws_instance.b.ami").as_str(),
            Some("x")
        );

        // The redeclared name stays as a duplicate key, each pointing at its own label.
        let buckets = node(&root, "resource.aws_s3_bucket");
        let names: Vec<_> = buckets
            .entries()
            .iter()
            .map(|(k, _)| (&*k.name, at(k.span)))
            .collect();
        // Both declarations sit together where the first one was.
        assert_eq!(names, [("a", (1, 26)), ("a", (11, 26)), ("c", (9, 26))]);
        assert_eq!(node(buckets, "a.acl").as_str(), Some("public-read"));
    }

    #[test]
    fn repeated_nested_blocks_become_a_list() {
        let text = r#"resource "aws_security_group" "sg" {
  name = "sg"
  ingress {
    from_port = 22
  }
  egress {
    from_port = 0
  }
  ingress {
    from_port = 443
  }
}
"#;
        let root = root(text);
        let sg = node(&root, "resource.aws_security_group.sg");
        assert_eq!(
            sg.to_json(),
            json!({
                "name": "sg",
                "ingress": [{"from_port": 22}, {"from_port": 443}],
                "egress": {"from_port": 0},
            })
        );
        let ingress = node(sg, "ingress");
        assert_eq!(at(key(sg, "ingress").span), (3, 3));
        assert_eq!(at(ingress.span), (3, 3));
        assert_eq!((ingress.span.end.line, ingress.span.end.column), (11, 4));
        assert_eq!(at(node(sg, "ingress.1").span), (9, 3));
        assert_eq!(at(node(sg, "ingress.1.from_port").span), (10, 17));
    }

    #[test]
    fn repeated_labeled_nested_blocks_become_a_list() {
        let text = "resource \"null_resource\" \"x\" {\n  provisioner \"local-exec\" {\n    command = \"a\"\n  }\n  provisioner \"local-exec\" {\n    command = \"b\"\n  }\n}\n";
        let root = root(text);
        assert_eq!(
            node(&root, "resource.null_resource.x.provisioner").to_json(),
            json!({"local-exec": [{"command": "a"}, {"command": "b"}]})
        );
    }

    #[test]
    fn provider_aliases_become_a_list() {
        let text = r#"provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "west"
  region = "us-west-2"
}

provider "google" {}
"#;
        let root = root(text);
        assert_eq!(
            root.to_json(),
            json!({"provider": {
                "aws": [{"region": "us-east-1"}, {"alias": "west", "region": "us-west-2"}],
                "google": {},
            }})
        );
        assert_eq!(at(node(&root, "provider.aws.1.alias").span), (6, 12));
    }

    #[test]
    fn top_level_locals_and_terraform_merge() {
        let text = r#"locals {
  a = 1
}

terraform {
  required_version = ">= 1.0"
}

locals {
  b = 2
}

terraform {
  backend "s3" {}
}
"#;
        let root = root(text);
        assert_eq!(
            root.to_json(),
            json!({
                "locals": {"a": 1, "b": 2},
                "terraform": {"required_version": ">= 1.0", "backend": {"s3": {}}},
            })
        );
        assert_eq!(at(node(&root, "locals.b").span), (10, 7));
        assert_eq!(at(node(&root, "locals").span), (1, 1));
    }

    #[test]
    fn repeated_top_level_unlabeled_blocks_become_a_list() {
        let text = "moved {\n  from = a.b\n  to = a.c\n}\nmoved {\n  from = a.d\n  to = a.e\n}\n";
        let root = root(text);
        assert_eq!(node(&root, "moved").items().len(), 2);
        assert_eq!(node(&root, "moved.1.to.$expr").as_str(), Some("a.e"));
    }

    #[test]
    fn mixed_label_counts_give_duplicate_keys() {
        let root = root("x {\n  a = 1\n}\nx \"l\" {\n  b = 2\n}\n");
        let names: Vec<_> = root.entries().iter().map(|(k, _)| &*k.name).collect();
        assert_eq!(names, ["x", "x"]);
        assert_eq!(root.entries()[0].1.to_json(), json!({"a": 1}));
        assert_eq!(root.entries()[1].1.to_json(), json!({"l": {"b": 2}}));
    }

    fn expr_text(root: &Node, path: &str) -> String {
        let value = node(root, path);
        assert_eq!(value.entries().len(), 1);
        let (key, text) = &value.entries()[0];
        assert_eq!(&*key.name, EXPR_KEY);
        assert_eq!(text.span, value.span);
        text.as_str().unwrap_or_default().to_string()
    }

    #[test]
    fn non_literal_expressions_keep_their_source() {
        let text = r#"a = var.region
b = aws_s3_bucket.logs.id
c = lookup(var.m, "k", "d")
d = "${var.env}-bucket"
e = var.on ? 1 : 2
f = 1 + 2
g = [for s in var.list : upper(s)]
h = "%{ if var.x }yes%{ endif }"
i = -var.n
j = (5)
k = {
  (var.key) = 1
  plain     = local.x
}
"#;
        let root = root(text);
        assert_eq!(expr_text(&root, "a"), "var.region");
        assert_eq!(expr_text(&root, "b"), "aws_s3_bucket.logs.id");
        assert_eq!(expr_text(&root, "c"), "lookup(var.m, \"k\", \"d\")");
        assert_eq!(expr_text(&root, "d"), "\"${var.env}-bucket\"");
        assert_eq!(expr_text(&root, "e"), "var.on ? 1 : 2");
        assert_eq!(expr_text(&root, "f"), "1 + 2");
        assert_eq!(expr_text(&root, "g"), "[for s in var.list : upper(s)]");
        assert_eq!(expr_text(&root, "h"), "\"%{ if var.x }yes%{ endif }\"");
        assert_eq!(expr_text(&root, "i"), "-var.n");
        assert_eq!(expr_text(&root, "j"), "(5)");
        assert_eq!(expr_text(&root, "k.plain"), "local.x");
        let k = node(&root, "k");
        assert_eq!(at(key(k, "(var.key)").span), (12, 3));
        // The `$expr` map and its text carry the expression's span.
        assert_eq!(at(node(&root, "c").span), (3, 5));
        assert_eq!(at(node(&root, "c.$expr").span), (3, 5));
        assert_eq!(at(key(node(&root, "c"), "$expr").span), (3, 5));
    }

    #[test]
    fn literals_and_number_types() {
        let text = "a = 42\nb = -7\nc = 1.5\nd = 1e3\nd2 = 2.0\ne = 18446744073709551615\nf = true\ng = null\nh = \"tab\\tquote\\\" $${lit}\"\ni = \"\"\n";
        let root = root(text);
        let a = node(&root, "a");
        assert_eq!(a.value, Value::Int(42));
        assert_eq!(node(&root, "b").value, Value::Int(-7));
        assert_eq!(text_of(text, node(&root, "b").span), "-7");
        assert_eq!(node(&root, "c").value, Value::Float(1.5));
        assert_eq!(node(&root, "d").value, Value::Float(1000.0));
        assert_eq!(node(&root, "d2").value, Value::Float(2.0));
        assert_eq!(
            node(&root, "e").value,
            Value::Float(18_446_744_073_709_551_615.0)
        );
        assert_eq!(node(&root, "f").value, Value::Bool(true));
        assert_eq!(node(&root, "g").value, Value::Null);
        assert_eq!(node(&root, "h").as_str(), Some("tab\tquote\" ${lit}"));
        assert_eq!(node(&root, "i").as_str(), Some(""));
        assert_eq!(at(node(&root, "h").span), (9, 5));
    }

    #[test]
    fn heredocs() {
        let text = "a = <<EOT\nhello\n  world\nEOT\nb = <<-EOT\n    indented\n      more\n    EOT\nc = <<EOT\nhi ${var.name}\nEOT\n";
        let root = root(text);
        let a = node(&root, "a");
        assert_eq!(a.as_str(), Some("hello\n  world\n"));
        assert_eq!(text_of(text, a.span), "<<EOT\nhello\n  world\nEOT");
        assert_eq!(node(&root, "b").as_str(), Some("indented\n  more\n"));
        assert_eq!(expr_text(&root, "c"), "<<EOT\nhi ${var.name}\nEOT");
        assert_eq!(at(node(&root, "c").span), (9, 5));
    }

    #[test]
    fn tfvars_files_have_only_attributes() {
        let text = "region = \"eu-west-1\"\ncount  = 3\nazs    = [\"a\", \"b\"]\ntags   = { env = \"prod\" }\n";
        let root = root(text);
        assert_eq!(
            root.to_json(),
            json!({"region": "eu-west-1", "count": 3, "azs": ["a", "b"], "tags": {"env": "prod"}})
        );
        assert_eq!(at(key(&root, "count").span), (2, 1));
        assert_eq!(at(node(&root, "azs.1").span), (3, 16));
        assert_eq!(at(key(node(&root, "tags"), "env").span), (4, 12));
    }

    #[test]
    fn columns_count_characters() {
        let text = "a = { \"é\" = \"ü\", b = 1 }\n";
        let root = root(text);
        let map = node(&root, "a");
        assert_eq!(at(key(map, "b").span), (1, 18));
        assert_eq!(at(node(map, "é").span), (1, 13));
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(root("").to_json(), json!({}));
        assert_eq!(root("# nothing\n// here\n").to_json(), json!({}));
        assert_eq!(root("b {}\n").to_json(), json!({"b": {}}));
    }

    #[test]
    fn crlf_line_endings() {
        let root = root("a = 1\r\nb {\r\n  c = \"x\"\r\n}\r\n");
        assert_eq!(at(node(&root, "b.c").span), (3, 7));
    }

    #[test]
    fn error_for_unclosed_block_points_after_last_character() {
        let err = error("resource \"a\" \"b\" {\n  x = 1\n\n");
        assert_eq!(at(err.span), (2, 8));
        assert!(err.message.contains("expected `}`"), "{}", err.message);
        assert!(
            err.message.ends_with("found end of file"),
            "{}",
            err.message
        );
    }

    #[test]
    fn error_for_bad_token() {
        let err = error("a = 1\nb = @\n");
        assert_eq!(at(err.span), (2, 5));
        assert_eq!(err.message, "expected an expression, found `@`");

        let err = error("a = 1\n}\n");
        assert_eq!(at(err.span), (2, 1));
        assert_eq!(err.message, "unexpected `}`");

        let err = error("a = [1, 2\n");
        assert_eq!(at(err.span), (1, 10));
        assert_eq!(err.message, "expected `]`, found end of file");

        let err = error("a = 1 b = 2\n");
        assert_eq!(at(err.span), (1, 7));
        assert!(err.message.ends_with("found `b`"), "{}", err.message);

        let err = error("resource \"x\" {\n  a =\n}\n");
        assert_eq!(at(err.span), (2, 6));
        assert_eq!(err.message, "expected an expression, found end of line");
    }

    #[test]
    fn error_for_an_unclosed_string_points_at_its_attribute() {
        let err = error("x = 1\n\na = \"open\nb = 2\n");
        assert_eq!(at(err.span), (3, 1));
        assert!(err.message.contains("unclosed string"), "{}", err.message);
    }

    #[test]
    fn redefined_attribute_is_an_error_at_the_second_key() {
        let err = error("a = 1\na = 2\n");
        assert_eq!(at(err.span), (2, 1));
        assert!(
            err.message.contains("redefined attribute"),
            "{}",
            err.message
        );
    }

    #[test]
    fn too_many_labels() {
        let labels = " \"l\"".repeat(9);
        let err = error(&format!("b{labels} {{}}\n"));
        assert_eq!(at(err.span), (1, 35));
        assert!(err.message.contains("too many block labels"));

        // Many labels are not nested in the source, so only this check bounds the tree.
        let labels = " l".repeat(100_000);
        assert!(
            error(&format!("b{labels} {{}}\n"))
                .message
                .contains("labels")
        );
        assert_eq!(
            node(&root("b c d e f g h i j {}\n"), "b.c.d.e.f.g.h.i.j").to_json(),
            json!({})
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let n = 5000;
        let cases = [
            format!("a = {}1{}\n", "(".repeat(n), ")".repeat(n)),
            format!("a = {}1{}\n", "[".repeat(n), "]".repeat(n)),
            format!("a = {}1{}\n", "{x = ".repeat(n), "}".repeat(n)),
            format!("{}{}", "b {\n".repeat(n), "}\n".repeat(n)),
            format!("a = {}true\n", "!".repeat(n)),
            format!("a = 1{}\n", " + 1".repeat(n)),
            format!("a = {}1{}\n", "f(".repeat(n), ")".repeat(n)),
            format!("a = {}x{}\n", "\"${".repeat(n), "}\"".repeat(n)),
            format!("a = {}1\n", "x ? 1 : ".repeat(n)),
        ];
        for text in &cases {
            let err = error(text);
            assert!(err.message.contains("at most"), "{}", err.message);
        }
        // Long flat chains are fine.
        let root = root(&format!("a = x{}\n", ".y".repeat(n)));
        assert!(expr_text(&root, "a").starts_with("x.y.y"));
    }

    #[test]
    fn hostile_input_never_panics() {
        for text in [
            "\u{feff}a = 1\n",
            "a = \u{0}\n",
            "é = 1\n",
            "a = \"é\" é\n",
            "a = <<EOT\nno end\n",
            "/* open comment\n",
            "a = \"\\q\"\n",
            "a = \"${\"\n",
            "b \"x\n",
            "=",
            "\"",
            "{",
            "a = {x = 1, x = 2}\n",
        ] {
            let parsed = parse_text(text);
            for err in &parsed.errors {
                assert!(err.span.start.offset <= text.len());
                assert!(text.is_char_boundary(err.span.start.offset));
                assert!(!err.message.is_empty());
            }
        }
    }
}

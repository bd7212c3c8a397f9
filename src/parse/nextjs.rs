//! Next.js configuration (`next.config.js`, `.mjs`, `.cjs`): a static read of the exported
//! object with tree-sitter-javascript, never executed.
//!
//! The root is the exported config object: `module.exports = {…}`, `export default {…}`, a
//! top-level `const nextConfig = {…}` exported by name, or the config passed through plugin
//! wrappers (`withSentryConfig(nextConfig, …)`, `withBundleAnalyzer({…})(nextConfig)`).
//! Literals become plain values, `process.env.X` becomes `{"$env": "X"}` (with a `default` for
//! `process.env.X || "d"` and `?? "d"`), a function whose body only returns a value (Next's
//! `async headers() { return [...] }`) becomes that value, and anything else becomes
//! `{"$expr": "<source text>"}`.

use std::cell::Cell;
use std::collections::HashMap;

use tree_sitter::{Node as Ts, Parser};

use super::{ParseError, Parsed, treesitter};
use crate::model::{Key, Node, SourceFile, Span, Value};

/// Deepest nesting of values, references and wrappers read before giving up on a subtree.
const MAX_DEPTH: usize = 100;
/// Values converted in one parse: names referring to names can fan out exponentially.
const MAX_CONVERSIONS: usize = 100_000;

pub fn parse(file: &SourceFile) -> Parsed {
    let mut parser = Parser::new();
    let tree = parser
        .set_language(&tree_sitter_javascript::LANGUAGE.into())
        .ok()
        .and_then(|()| parser.parse(file.text.as_bytes(), None));
    let Some(tree) = tree else {
        return Parsed::failed(ParseError {
            message: "the JavaScript parser could not read this file".into(),
            span: file.span(0..0),
        });
    };
    let root = tree.root_node();
    let mut errors = Vec::new();
    treesitter::report(root, file, "JavaScript", &mut errors);
    let mut reader = Reader {
        file,
        bindings: HashMap::new(),
        conversions: Cell::new(0),
    };
    let mut export = None;
    for statement in kids(root) {
        if statement.has_error() {
            continue;
        }
        reader.statement(statement, &mut export);
    }
    let config = match export {
        Some(value) => reader.config(value, 0),
        None => Node::map(Vec::new(), file.span(0..0)),
    };
    Parsed {
        roots: vec![config],
        errors,
    }
}

struct Reader<'a, 't> {
    file: &'a SourceFile,
    /// Top-level `const`/`let`/`var` values and function declarations; later ones win.
    bindings: HashMap<&'a str, Ts<'t>>,
    conversions: Cell<usize>,
}

impl<'a, 't> Reader<'a, 't> {
    fn text(&self, node: Ts) -> &'a str {
        treesitter::text(self.file, node)
    }

    fn span(&self, node: Ts) -> Span {
        treesitter::span(self.file, node)
    }

    fn opaque(&self, node: Ts) -> Node {
        treesitter::opaque(self.file, node)
    }

    /// Records top-level bindings and the last export seen.
    fn statement(&mut self, node: Ts<'t>, export: &mut Option<Ts<'t>>) {
        match node.kind() {
            "lexical_declaration" | "variable_declaration" => self.declaration(node),
            "function_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    self.bindings.insert(self.text(name), node);
                }
            }
            "expression_statement" => {
                let Some(expr) = kids(node).into_iter().next() else {
                    return;
                };
                if expr.kind() != "assignment_expression" {
                    return;
                }
                let (Some(left), Some(right)) = (
                    expr.child_by_field_name("left"),
                    expr.child_by_field_name("right"),
                ) else {
                    return;
                };
                let target: String = self.text(left).split_whitespace().collect();
                if matches!(
                    target.as_str(),
                    "module.exports" | "exports.default" | "module.exports.default"
                ) {
                    *export = Some(right);
                }
            }
            "export_statement" => {
                let is_default = (0..node.child_count())
                    .filter_map(|i| node.child(i))
                    .any(|c| c.kind() == "default");
                if let Some(declaration) = node.child_by_field_name("declaration") {
                    self.statement(declaration, &mut None);
                    if is_default {
                        *export = Some(declaration);
                    }
                } else if is_default {
                    *export = node.child_by_field_name("value").or(*export);
                }
            }
            _ => {}
        }
    }

    fn declaration(&mut self, node: Ts<'t>) {
        for declarator in kids(node) {
            if declarator.kind() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (
                declarator.child_by_field_name("name"),
                declarator.child_by_field_name("value"),
            ) else {
                continue;
            };
            if name.kind() == "identifier" {
                self.bindings.insert(self.text(name), value);
            }
        }
    }

    /// The top-level value a name refers to.
    fn binding(&self, node: Ts) -> Option<Ts<'t>> {
        (node.kind() == "identifier")
            .then(|| self.bindings.get(self.text(node)).copied())
            .flatten()
    }

    /// The config an exported expression stands for: an object, a name bound to one, a plugin
    /// wrapper around one, or a function returning one.
    fn config(&self, node: Ts<'t>, depth: usize) -> Node {
        self.find_config(node, depth)
            .unwrap_or_else(|| self.convert(node, depth))
    }

    fn find_config(&self, node: Ts<'t>, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "object" => Some(self.convert(node, depth)),
            "identifier" => self.find_config(self.binding(node)?, depth + 1),
            "parenthesized_expression" => self.find_config(only_kid(node)?, depth + 1),
            "arrow_function" | "function_expression" | "function_declaration" => {
                self.find_config(returned(node)?, depth + 1)
            }
            "call_expression" => {
                let args = node.child_by_field_name("arguments")?;
                let args: Vec<Ts> = kids(args)
                    .into_iter()
                    .filter(|a| a.kind() != "comment")
                    .collect();
                // The config passed by name or through a nested wrapper
                // (`withSentryConfig(withAnalyzer(nextConfig), {…})`) first, then an inline
                // object (`withPWA({…})`): the other objects are the plugins' own options.
                args.iter()
                    .filter(|a| matches!(a.kind(), "identifier" | "call_expression"))
                    .find_map(|a| self.find_config(*a, depth + 1))
                    .or_else(|| {
                        args.iter()
                            .find(|a| a.kind() == "object")
                            .map(|a| self.convert(*a, depth + 1))
                    })
            }
            _ => None,
        }
    }

    /// A value as data, or `$expr`.
    fn convert(&self, node: Ts<'t>, depth: usize) -> Node {
        self.conversions.set(self.conversions.get() + 1);
        if depth > MAX_DEPTH || self.conversions.get() > MAX_CONVERSIONS {
            return self.opaque(node);
        }
        let span = self.span(node);
        let value = match node.kind() {
            "string" => self.string(node).map(|s| Value::Str(s.into())),
            "template_string" => self.string(node).map(|s| Value::Str(s.into())),
            "number" => number(self.text(node)),
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            "null" | "undefined" => Some(Value::Null),
            "unary_expression" => self.negative(node),
            "array" => Some(Value::List(
                kids(node)
                    .into_iter()
                    .filter(|k| k.kind() != "comment")
                    .map(|item| self.convert(item, depth + 1))
                    .collect::<Vec<_>>()
                    .into(),
            )),
            "object" => Some(self.object(node, depth)),
            "parenthesized_expression" => {
                return match only_kid(node) {
                    Some(inner) => self.convert(inner, depth + 1),
                    None => self.opaque(node),
                };
            }
            "arrow_function" | "function_expression" => {
                return self.convert_function(node, depth + 1);
            }
            "identifier" => {
                return match self.binding(node) {
                    Some(bound) if bound.kind() == "function_declaration" => {
                        self.convert_function(bound, depth + 1)
                    }
                    Some(bound) => self.convert(bound, depth + 1),
                    None => self.opaque(node),
                };
            }
            "member_expression" | "subscript_expression" => {
                return self.env(node).unwrap_or_else(|| self.opaque(node));
            }
            "binary_expression" => return self.env_default(node, depth),
            _ => None,
        };
        match value {
            Some(value) => Node::new(value, span),
            None => self.opaque(node),
        }
    }

    /// What a function only returns, or the whole function as `$expr` when that is not static.
    fn convert_function(&self, function: Ts<'t>, depth: usize) -> Node {
        returned(function)
            .map(|value| self.convert(value, depth + 1))
            .filter(|value| value.get("$expr").is_none())
            .unwrap_or_else(|| self.opaque(function))
    }

    fn object(&self, node: Ts<'t>, depth: usize) -> Value {
        let mut entries = Vec::new();
        let mut spreads = Vec::new();
        for member in kids(node) {
            match member.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (
                        member.child_by_field_name("key"),
                        member.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let Some(name) = self.key(key) else {
                        continue;
                    };
                    entries.push((
                        Key::new(name, self.span(key)),
                        self.convert(value, depth + 1),
                    ));
                }
                "method_definition" => {
                    let Some(key) = member.child_by_field_name("name") else {
                        continue;
                    };
                    let Some(name) = self.key(key) else {
                        continue;
                    };
                    let value = self.convert_function(member, depth);
                    entries.push((Key::new(name, self.span(key)), value));
                }
                "shorthand_property_identifier" => {
                    let name = self.text(member);
                    let value = match self.bindings.get(name) {
                        Some(bound) if bound.kind() == "function_declaration" => {
                            self.convert_function(*bound, depth + 1)
                        }
                        Some(bound) => self.convert(*bound, depth + 1),
                        None => self.opaque(member),
                    };
                    entries.push((Key::new(name, self.span(member)), value));
                }
                "spread_element" => {
                    let inner = only_kid(member);
                    let known = inner
                        .and_then(|i| self.find_config(i, depth + 1))
                        .filter(|n| matches!(n.value, Value::Map(_)) && n.get("$expr").is_none());
                    match known {
                        Some(Node {
                            value: Value::Map(more),
                            ..
                        }) => entries.extend(more.iter().cloned()),
                        _ => spreads.push(self.opaque(member)),
                    }
                }
                _ => {}
            }
        }
        if !spreads.is_empty() {
            let span = self.span(node);
            entries.push((Key::new("$spread", span), Node::list(spreads, span)));
        }
        Value::Map(entries.into())
    }

    /// A key's name: identifiers, strings and numbers; computed keys are skipped.
    fn key(&self, key: Ts) -> Option<String> {
        match key.kind() {
            "property_identifier" | "number" | "private_property_identifier" => {
                Some(self.text(key).to_string())
            }
            "string" => self.string(key),
            _ => None,
        }
    }

    /// A string or a template without substitutions, decoded.
    fn string(&self, node: Ts) -> Option<String> {
        let mut out = String::new();
        for part in kids(node) {
            match part.kind() {
                "string_fragment" => out.push_str(self.text(part)),
                "escape_sequence" => out.push_str(&unescape(self.text(part))?),
                "template_substitution" => return None,
                "comment" => {}
                _ => out.push_str(self.text(part)),
            }
        }
        Some(out)
    }

    /// `-1`, `-0.5`.
    fn negative(&self, node: Ts) -> Option<Value> {
        let operator = node.child_by_field_name("operator")?;
        let argument = node.child_by_field_name("argument")?;
        if self.text(operator) != "-" || argument.kind() != "number" {
            return None;
        }
        match number(self.text(argument))? {
            Value::Int(i) => Some(Value::Int(-i)),
            Value::Float(f) => Some(Value::Float(-f)),
            _ => None,
        }
    }

    /// `process.env.X` and `process.env["X"]` as `{"$env": "X"}`.
    fn env(&self, node: Ts) -> Option<Node> {
        let object = node.child_by_field_name("object")?;
        let object_text: String = self.text(object).split_whitespace().collect();
        if object_text != "process.env" {
            return None;
        }
        let name = match node.kind() {
            "member_expression" => {
                let property = node.child_by_field_name("property")?;
                self.text(property).to_string()
            }
            _ => {
                let index = node.child_by_field_name("index")?;
                (index.kind() == "string")
                    .then(|| self.string(index))
                    .flatten()?
            }
        };
        let span = self.span(node);
        Some(Node::map(
            vec![(Key::new("$env", span), Node::str(name, span))],
            span,
        ))
    }

    /// `process.env.X || "d"` and `process.env.X ?? "d"` as `{"$env": "X", "default": "d"}`.
    fn env_default(&self, node: Ts<'t>, depth: usize) -> Node {
        let parts = (
            node.child_by_field_name("left"),
            node.child_by_field_name("operator"),
            node.child_by_field_name("right"),
        );
        let (Some(left), Some(operator), Some(right)) = parts else {
            return self.opaque(node);
        };
        let env = matches!(self.text(operator), "||" | "??")
            .then(|| self.env(left))
            .flatten();
        let Some(Node {
            value: Value::Map(entries),
            ..
        }) = env
        else {
            return self.opaque(node);
        };
        let default = self.convert(right, depth + 1);
        if default.get("$expr").is_some() {
            return self.opaque(node);
        }
        let mut entries = entries.to_vec();
        entries.push((Key::new("default", self.span(right)), default));
        Node::map(entries, self.span(node))
    }
}

/// The value a function only returns: an arrow's expression body, or a body whose single
/// statement is `return <value>`.
fn returned<'t>(function: Ts<'t>) -> Option<Ts<'t>> {
    let body = function.child_by_field_name("body")?;
    if body.kind() != "statement_block" {
        return Some(body);
    }
    let statements: Vec<Ts> = kids(body)
        .into_iter()
        .filter(|s| s.kind() != "comment")
        .collect();
    match statements.as_slice() {
        [statement] if statement.kind() == "return_statement" => only_kid(*statement),
        _ => None,
    }
}

/// The one named child that is not a comment.
fn only_kid(node: Ts) -> Option<Ts> {
    let kids: Vec<Ts> = kids(node)
        .into_iter()
        .filter(|k| k.kind() != "comment")
        .collect();
    match kids.as_slice() {
        [kid] => Some(*kid),
        _ => None,
    }
}

fn kids(node: Ts) -> Vec<Ts> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn number(text: &str) -> Option<Value> {
    let digits = text.replace('_', "");
    let int = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        i64::from_str_radix(oct, 8).ok()
    } else if let Some(bin) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        i64::from_str_radix(bin, 2).ok()
    } else {
        digits.parse::<i64>().ok()
    };
    match int {
        Some(i) => Some(Value::Int(i)),
        None => digits
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::Float),
    }
}

/// One JavaScript escape sequence (`\n`, `\x41`, `\u{1F600}`, a line continuation).
fn unescape(text: &str) -> Option<String> {
    let body = text.strip_prefix('\\')?;
    let mut chars = body.chars();
    let first = chars.next()?;
    let rest: String = chars.collect();
    let code = |hex: &str| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
    let c = match first {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'v' => '\u{b}',
        '0' if rest.is_empty() => '\0',
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => return Some(String::new()),
        'x' => code(&rest)?,
        'u' => code(rest.trim_start_matches('{').trim_end_matches('}'))?,
        other => return Some(format!("{other}{rest}")),
    };
    Some(c.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;
    use crate::model::Node;
    use crate::parse::testing::{line_col, parse_as, parse_clean};

    fn clean(text: &str) -> Node {
        parse_clean(parse, "next.config.js", text).1
    }

    #[test]
    fn module_exports_object_literal() {
        let root = clean(
            "/** @type {import('next').NextConfig} */\nmodule.exports = {\n  reactStrictMode: true,\n  'output': \"standalone\",\n  images: { domains: ['a.example.com'], minimumCacheTTL: 60 },\n  basePath: `/app`,\n  assetPrefix: null,\n  compress: false,\n  ratio: -1.5,\n};\n",
        );
        assert_eq!(
            root.to_json(),
            json!({
                "reactStrictMode": true,
                "output": "standalone",
                "images": {"domains": ["a.example.com"], "minimumCacheTTL": 60},
                "basePath": "/app",
                "assetPrefix": null,
                "compress": false,
                "ratio": -1.5,
            })
        );
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text =
            "module.exports = {\n  poweredByHeader: true,\n  env: {\n    API: 'x',\n  },\n};\n";
        let (_, root) = parse_clean(parse, "next.config.js", text);
        let entries = root.entries();
        assert_eq!(entries[0].0.name.as_ref(), "poweredByHeader");
        assert_eq!(line_col(&entries[0].0.span), (2, 3));
        assert_eq!(line_col(&entries[0].1.span), (2, 20));
        let api = root.get_path("env.API").expect("env.API");
        assert_eq!(line_col(&api.span), (4, 10));
        assert_eq!(line_col(&root.span), (1, 18));
    }

    #[test]
    fn export_default_and_named_config() {
        let root = clean("export default { poweredByHeader: false }\n");
        assert_eq!(root.to_json(), json!({"poweredByHeader": false}));
        let root =
            clean("const nextConfig = {\n  output: 'export',\n};\n\nexport default nextConfig;\n");
        assert_eq!(root.to_json(), json!({"output": "export"}));
        let root = clean("const nextConfig = { a: 1 };\nmodule.exports = nextConfig;\n");
        assert_eq!(root.to_json(), json!({"a": 1}));
    }

    #[test]
    fn plugin_wrappers_are_followed_to_the_config() {
        let root = clean(
            "const { withSentryConfig } = require('@sentry/nextjs');\nconst nextConfig = { reactStrictMode: true };\nmodule.exports = withSentryConfig(nextConfig, { silent: true });\n",
        );
        assert_eq!(root.to_json(), json!({"reactStrictMode": true}));
        let root = clean(
            "const withBundleAnalyzer = require('@next/bundle-analyzer')({ enabled: process.env.ANALYZE === 'true' });\nconst nextConfig = { output: 'standalone' };\nmodule.exports = withBundleAnalyzer(nextConfig);\n",
        );
        assert_eq!(root.to_json(), json!({"output": "standalone"}));
        let root = clean(
            "const withPWA = require('next-pwa')({ dest: 'public' });\nconst config = { swcMinify: true };\nexport default withPWA({ dest: 'x' })(withSentryConfig(config));\n",
        );
        assert_eq!(root.to_json(), json!({"swcMinify": true}));
        let root = clean(
            "const nextConfig = { a: 1 };\nexport default withSentryConfig(withBundleAnalyzer(nextConfig), { org: 'acme' });\n",
        );
        assert_eq!(root.to_json(), json!({"a": 1}));
        let root = clean("module.exports = withPWA({ pwa: { dest: 'public' }, a: 1 });\n");
        assert_eq!(root.to_json(), json!({"pwa": {"dest": "public"}, "a": 1}));
    }

    #[test]
    fn phase_functions_returning_an_object() {
        let root = clean("module.exports = (phase) => ({ distDir: 'build' });\n");
        assert_eq!(root.to_json(), json!({"distDir": "build"}));
        let root = clean(
            "module.exports = (phase, { defaultConfig }) => {\n  return { distDir: 'out' };\n};\n",
        );
        assert_eq!(root.to_json(), json!({"distDir": "out"}));
        let root =
            clean("module.exports = (phase) => {\n  if (phase) return {};\n  return {};\n};\n");
        assert!(root.get("$expr").is_some(), "{}", root.to_json());
    }

    #[test]
    fn headers_and_redirects_functions_become_their_value() {
        let root = clean(
            "module.exports = {\n  async headers() {\n    return [\n      {\n        source: '/(.*)',\n        headers: [\n          { key: 'X-Frame-Options', value: 'DENY' },\n        ],\n      },\n    ];\n  },\n  redirects: async () => [{ source: '/a', destination: '/b', permanent: true }],\n  async rewrites() {\n    const base = '/x';\n    return [];\n  },\n};\n",
        );
        assert_eq!(
            root.get("headers").unwrap().to_json(),
            json!([{"source": "/(.*)", "headers": [{"key": "X-Frame-Options", "value": "DENY"}]}])
        );
        assert_eq!(
            root.get("redirects").unwrap().to_json(),
            json!([{"source": "/a", "destination": "/b", "permanent": true}])
        );
        assert!(root.get_path("rewrites.$expr").is_some());
        let root = clean("module.exports = { webpack: (config) => config };\n");
        assert_eq!(
            root.to_json(),
            json!({"webpack": {"$expr": "(config) => config"}})
        );
    }

    #[test]
    fn shorthand_properties_follow_top_level_names() {
        let root = clean(
            "const securityHeaders = [{ key: 'X-Content-Type-Options', value: 'nosniff' }];\nasync function headers() {\n  return [{ source: '/:path*', headers: securityHeaders }];\n}\nconst images = { unoptimized: true };\nmodule.exports = { headers, images, other };\n",
        );
        assert_eq!(
            root.to_json(),
            json!({
                "headers": [{"source": "/:path*", "headers": [{"key": "X-Content-Type-Options", "value": "nosniff"}]}],
                "images": {"unoptimized": true},
                "other": {"$expr": "other"},
            })
        );
    }

    #[test]
    fn dynamic_values_are_expressions_and_env_lookups_are_named() {
        let root = clean(
            "module.exports = {\n  env: {\n    API_URL: process.env.API_URL,\n    KEY: process.env['KEY'] || 'dev',\n    MODE: process.env.MODE ?? fallback,\n  },\n  basePath: `/${prefix}`,\n  webpack: (config) => { config.x = 1; return config; },\n  ...base,\n};\n",
        );
        assert_eq!(
            root.to_json(),
            json!({
                "env": {
                    "API_URL": {"$env": "API_URL"},
                    "KEY": {"$env": "KEY", "default": "dev"},
                    "MODE": {"$expr": "process.env.MODE ?? fallback"},
                },
                "basePath": {"$expr": "`/${prefix}`"},
                "webpack": {"$expr": "(config) => { config.x = 1; return config; }"},
                "$spread": [{"$expr": "...base"}],
            })
        );
    }

    #[test]
    fn known_spreads_are_merged() {
        let root = clean("const base = { a: 1 };\nmodule.exports = { ...base, b: 2 };\n");
        assert_eq!(root.to_json(), json!({"a": 1, "b": 2}));
    }

    #[test]
    fn strings_are_decoded() {
        let root = clean("module.exports = { a: 'it\\'s', b: \"x\\ny\", c: '\\u0041\\x42' };\n");
        assert_eq!(root.to_json(), json!({"a": "it's", "b": "x\ny", "c": "AB"}));
    }

    #[test]
    fn no_export_is_an_empty_config_and_a_non_object_is_an_expression() {
        assert_eq!(clean("const a = 1;\n").to_json(), json!({}));
        assert_eq!(
            clean("module.exports = makeConfig();\n").to_json(),
            json!({"$expr": "makeConfig()"})
        );
    }

    #[test]
    fn treesitter_are_reported_with_their_line() {
        let (_, parsed) = parse_as(
            parse,
            "next.config.js",
            "const a = {;\nmodule.exports = { output: 'standalone' };\n",
        );
        assert!(!parsed.errors.is_empty());
        assert_eq!(line_col(&parsed.errors[0].span).0, 1);
        assert_eq!(parsed.roots[0].to_json(), json!({"output": "standalone"}));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let text = format!(
            "module.exports = {}{};\n",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let (_, parsed) = parse_as(parse, "next.config.js", &text);
        assert_eq!(parsed.roots.len(), 1);
    }
}

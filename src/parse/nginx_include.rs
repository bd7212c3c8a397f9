//! Follows nginx `include` directives among the files of a scan, so rules see `http { include
//! conf.d/*.conf; }` with the included servers in place. Included directives keep the spans of
//! the file they were written in.

use std::collections::HashMap;

use super::ParseError;
use crate::model::{Document, Key, Kind, Node};

/// Deepest chain of includes followed.
const MAX_DEPTH: usize = 16;

/// Expands the includes of every nginx document in place; returns the cycles and the includes
/// that point outside the scan root met, each once.
pub fn expand(documents: &mut [Document]) -> Vec<ParseError> {
    expand_where(documents, &|_| true)
}

/// Expands the includes of the nginx documents `only` accepts, with every nginx document as a
/// possible target: re-expanding one edited file.
pub fn expand_where(
    documents: &mut [Document],
    only: &dyn Fn(&Document) -> bool,
) -> Vec<ParseError> {
    let files: HashMap<String, Node> = documents
        .iter()
        .filter(|d| d.kind == Kind::Nginx)
        .map(|d| (d.path.clone(), d.root.clone()))
        .collect();
    let mut errors = Vec::new();
    for doc in documents
        .iter_mut()
        .filter(|d| d.kind == Kind::Nginx && only(d))
    {
        let top = Includer {
            files: &files,
            top_dir: dir_of(&doc.path),
        };
        let mut chain = vec![doc.path.clone()];
        doc.root = top.file(&doc.root, &doc.path, &mut chain, &mut errors);
    }
    // A cycle is met from each file on it: say it once per directive.
    let mut seen = std::collections::HashSet::new();
    errors.retain(|err| seen.insert(err.span));
    errors
}

struct Includer<'a> {
    files: &'a HashMap<String, Node>,
    /// nginx resolves relative includes against its configuration directory: the directory of
    /// the file being checked.
    top_dir: &'a str,
}

impl Includer<'_> {
    fn file(
        &self,
        root: &Node,
        path: &str,
        chain: &mut Vec<String>,
        errors: &mut Vec<ParseError>,
    ) -> Node {
        let Some(directives) = root.get("directives") else {
            return root.clone();
        };
        let expanded = self.directives(directives, path, chain, errors);
        replace(root, "directives", expanded)
    }

    fn directives(
        &self,
        list: &Node,
        path: &str,
        chain: &mut Vec<String>,
        errors: &mut Vec<ParseError>,
    ) -> Node {
        let mut out = Vec::new();
        for directive in list.items() {
            let directive = match directive.get("block") {
                Some(block) => replace(
                    directive,
                    "block",
                    self.directives(block, path, chain, errors),
                ),
                None => directive.clone(),
            };
            let pattern = (directive.get("name").and_then(Node::as_str) == Some("include"))
                .then(|| directive.get_path("args.0"))
                .flatten();
            let included = match pattern.and_then(|p| Some((p, p.as_str()?))) {
                // Relative to the including file, `../../etc/passwd` leaves the scan root:
                // refused, so a project cannot make rules read files it does not hold.
                Some((node, pattern))
                    if !pattern.starts_with('/') && join(dir_of(path), pattern).is_none() =>
                {
                    errors.push(ParseError {
                        message: format!(
                            "include `{pattern}` points outside the scan root: not followed"
                        ),
                        span: node.span,
                    });
                    Vec::new()
                }
                Some((_, pattern)) => self.matches(pattern, path),
                None => Vec::new(),
            };
            out.push(directive.clone());
            let wildcard = directive
                .get_path("args.0")
                .and_then(Node::as_str)
                .is_some_and(|p| p.contains(['*', '?']));
            for target in included {
                // A wildcard that also matches a file of the chain (`*.conf` beside nginx.conf)
                // is a guess about where files land on the server: leave those out quietly.
                if wildcard && chain.contains(&target) {
                    continue;
                }
                if chain.contains(&target) || chain.len() > MAX_DEPTH {
                    errors.push(ParseError {
                        message: format!("include cycle: {} → {target}", chain.join(" → ")),
                        span: directive.span,
                    });
                    continue;
                }
                let Some(body) = self
                    .files
                    .get(&target)
                    .and_then(|root| root.get("directives"))
                else {
                    continue;
                };
                chain.push(target.clone());
                out.extend(
                    self.directives(body, &target, chain, errors)
                        .items()
                        .iter()
                        .cloned(),
                );
                chain.pop();
            }
        }
        Node::list(out, list.span)
    }

    /// Scanned nginx files an include pattern names, in path order. Relative patterns are
    /// tried against the including file's directory and the configuration directory; an
    /// absolute one (`/etc/nginx/conf.d/*.conf`) by its tail below the configuration directory.
    fn matches(&self, pattern: &str, from: &str) -> Vec<String> {
        let mut bases: Vec<String> = Vec::new();
        if let Some(relative) = pattern.strip_prefix('/') {
            let parts: Vec<&str> = relative.split('/').collect();
            bases
                .extend((1..parts.len()).filter_map(|i| join(self.top_dir, &parts[i..].join("/"))));
        } else {
            bases.extend(join(dir_of(from), pattern));
            bases.extend(join(self.top_dir, pattern));
        }
        for candidate in bases {
            let mut found: Vec<String> = self
                .files
                .keys()
                .filter(|path| glob(&candidate, path))
                .cloned()
                .collect();
            if !found.is_empty() {
                found.sort();
                return found;
            }
        }
        Vec::new()
    }
}

/// A map node with one entry's value replaced.
fn replace(map: &Node, key: &str, value: Node) -> Node {
    let entries = map
        .entries()
        .iter()
        .map(|(k, v)| {
            let v = if &*k.name == key {
                value.clone()
            } else {
                v.clone()
            };
            (Key::new(k.name.clone(), k.span), v)
        })
        .collect();
    Node::map(entries, map.span)
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `path` resolved against `dir` (both relative to the scan root); `None` when `..` climbs
/// out of the root.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `*` and `?` match within one path component, as nginx's glob does.
fn glob(pattern: &str, path: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), path.chars().collect());
    // Iterative matching with one backtrack point for the last `*`.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' && t[j] != '/' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star.filter(|_| t[mark] != '/') {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, SourceFile, SourceId};

    fn doc(id: u32, path: &str, text: &str) -> (SourceFile, Document) {
        let file = SourceFile::new(SourceId(id), path, text);
        let root = super::super::nginx::parse(&file).roots.remove(0);
        let doc = Document {
            path: path.into(),
            format: Format::Nginx,
            kind: Kind::Nginx,
            source: file.id,
            index: 0,
            root,
        };
        (file, doc)
    }

    #[test]
    fn includes_are_spliced_with_their_own_spans() {
        let (_, main) = doc(
            0,
            "deploy/nginx/nginx.conf",
            "http {\n    include conf.d/*.conf;\n}\n",
        );
        let (_, site) = doc(
            1,
            "deploy/nginx/conf.d/shop.conf",
            "server {\n    listen 80;\n}\n",
        );
        let (_, other) = doc(
            2,
            "deploy/nginx/conf.d/api.conf",
            "server {\n  listen 8080;\n}\n",
        );
        let mut docs = vec![main, site, other];
        assert!(expand(&mut docs).is_empty());
        let http = docs[0].root.get_path("directives.0.block").unwrap();
        let names: Vec<_> = http
            .items()
            .iter()
            .map(|d| d.get("name").unwrap().as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["include", "server", "server"]);
        // api.conf sorts first; its listen keeps api.conf's source and position.
        let listen = http.get_path("1.block.0").unwrap();
        assert_eq!(listen.get_path("args.0").unwrap().as_str(), Some("8080"));
        assert_eq!(listen.span.source, SourceId(2));
        assert_eq!((listen.span.start.line, listen.span.start.column), (2, 3));
    }

    #[test]
    fn absolute_includes_resolve_below_the_configuration_directory() {
        let (_, main) = doc(
            0,
            "nginx/nginx.conf",
            "http { include /etc/nginx/sites-enabled/*; }\n",
        );
        let (_, site) = doc(
            1,
            "nginx/sites-enabled/shop.conf",
            "server { listen 80; }\n",
        );
        let mut docs = vec![main, site];
        expand(&mut docs);
        let http = docs[0].root.get_path("directives.0.block").unwrap();
        assert_eq!(http.items().len(), 2);
    }

    #[test]
    fn include_cycles_are_errors_not_loops() {
        let (_, a) = doc(0, "nginx/a.conf", "include b.conf;\n");
        let (_, b) = doc(1, "nginx/b.conf", "include a.conf;\n");
        let mut docs = vec![a, b];
        let errors = expand(&mut docs);
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0]
                .message
                .starts_with("include cycle: nginx/a.conf → nginx/b.conf → nginx/a.conf")
        );
    }

    #[test]
    fn a_wildcard_that_matches_the_including_file_skips_it() {
        // `/etc/nginx/conf.d/*.conf` where the Dockerfile copies default.conf there: the tail
        // `*.conf` beside nginx.conf matches nginx.conf too.
        let (_, main) = doc(
            0,
            "nginx/nginx.conf",
            "http { include /etc/nginx/conf.d/*.conf; }\n",
        );
        let (_, site) = doc(1, "nginx/default.conf", "server { listen 80; }\n");
        let mut docs = vec![main, site];
        assert!(expand(&mut docs).is_empty());
        let http = docs[0].root.get_path("directives.0.block").unwrap();
        assert_eq!(http.items().len(), 2);
    }

    #[test]
    fn globs_stay_within_a_path_component() {
        assert!(glob("conf.d/*.conf", "conf.d/a.conf"));
        assert!(!glob("conf.d/*.conf", "conf.d/x/a.conf"));
        assert!(glob("sites-enabled/*", "sites-enabled/shop"));
        assert!(glob("a?c", "abc") && !glob("a?c", "a/c"));
        assert_eq!(
            join("deploy/nginx", "../conf/./x.conf").as_deref(),
            Some("deploy/conf/x.conf")
        );
        assert_eq!(join("deploy", "../../etc/passwd"), None);
    }
}

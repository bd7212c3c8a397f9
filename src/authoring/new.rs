//! `preflight new <area>/<rule> --kind <kind>`: a rule file and its fixtures, ready for
//! `preflight test` to pass, for the author to turn into their own check.

use std::path::{Path, PathBuf};

use crate::model::Kind;

/// What a scaffold for one kind holds: a check reading a typical field of that kind, and a
/// fixture that triggers it on a marked line and one that does not.
struct Template {
    /// The fixture's file name, which decides its kind as for any scanned file.
    file: &'static str,
    title: &'static str,
    /// `META.params` entries, without the braces.
    params: &'static str,
    imports: &'static str,
    check: &'static str,
    /// `{ID}` stands for the rule id.
    fail: &'static str,
    pass: &'static str,
}

fn template(kind: Kind) -> Template {
    match kind {
        Kind::Compose => Template {
            file: "docker-compose.yml",
            title: "Compose service image is not from our registry",
            params: r#"registry: "registry.example.com/""#,
            imports: "import \"compose\" as compose;\n",
            check: r#"    for s in compose::services(doc) {
        let image = s.service.image;
        if image != () && !image.to_string().starts_with(params.registry) {
            report(image, `service ``${s.name}`` uses ``${image}``, not an image from ``${params.registry}```);
        }
    }"#,
            fail: "services:\n  web:\n    image: nginx:1.27.3 # expect: {ID}\n",
            pass: "services:\n  web:\n    image: registry.example.com/nginx:1.27.3\n",
        },
        Kind::K8s => Template {
            file: "deployment.yaml",
            title: "Container image is not from our registry",
            params: r#"registry: "registry.example.com/""#,
            imports: "import \"k8s\" as k8s;\n",
            check: r#"    for c in k8s::containers(doc) {
        let image = c.container.image;
        if image != () && !image.to_string().starts_with(params.registry) {
            report(image, `container ``${c.name}`` uses ``${image}``, not an image from ``${params.registry}```);
        }
    }"#,
            fail: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3 # expect: {ID}\n",
            pass: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/nginx:1.27.3\n",
        },
        Kind::Dockerfile => Template {
            file: "Dockerfile",
            title: "Base image is not from our registry",
            params: r#"registry: "registry.example.com/""#,
            imports: "",
            check: r#"    for stage in doc.stages {
        let from = stage.from;
        if from != () && !from.raw.to_string().starts_with(params.registry) {
            report(from.raw, `the base image ``${from.raw}`` is not from ``${params.registry}```);
        }
    }"#,
            fail: "FROM python:3.12-slim\n# ^expect: {ID}\n",
            pass: "FROM registry.example.com/python:3.12-slim\n",
        },
        Kind::GhaWorkflow => Template {
            // A workflow is one by its place: the fixture is a project holding it.
            file: "project/.github/workflows/ci.yml",
            title: "Workflow job has no timeout",
            params: "",
            imports: "",
            check: r#"    if doc.jobs == () { return; }
    for job in doc.jobs.entries() {
        if job.value["timeout-minutes"] == () {
            report(job.key, `job ``${job.key}`` has no ``timeout-minutes``: a hung job runs for six hours`);
        }
    }"#,
            fail: "on: push\njobs:\n  build: # expect: {ID}\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n",
            pass: "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 15\n    steps:\n      - run: make\n",
        },
        Kind::GitlabCi => Template {
            file: ".gitlab-ci.yml",
            title: "CI job image is not from our registry",
            params: r#"registry: "registry.example.com/""#,
            imports: "",
            check: r#"    for job in doc.entries() {
        let image = if job.value.is_map() { job.value.image } else { () };
        if image != () && image.is_string() && !image.to_string().starts_with(params.registry) {
            report(image, `job ``${job.key}`` uses ``${image}``, not an image from ``${params.registry}```);
        }
    }"#,
            fail: "build:\n  image: node:22.12 # expect: {ID}\n  script:\n    - make\n",
            pass: "build:\n  image: registry.example.com/node:22.12\n  script:\n    - make\n",
        },
        Kind::Terraform => Template {
            file: "main.tf",
            title: "S3 bucket has no owning team tag",
            params: r#"tag: "team""#,
            imports: "import \"terraform\" as terraform;\n",
            check: r#"    for r in terraform::resources(doc, "aws_s3_bucket") {
        if r.body.tags[params.tag] == () {
            report(r.key, `bucket ``${r.name}`` has no ``${params.tag}`` tag`);
        }
    }"#,
            fail: "resource \"aws_s3_bucket\" \"logs\" { # expect: {ID}\n  bucket = \"example-logs\"\n}\n",
            pass: "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"example-logs\"\n  tags = { team = \"payments\" }\n}\n",
        },
        Kind::PackageJson => Template {
            file: "package.json",
            title: "Package depends on a banned library",
            params: r#"banned: ["moment", "request"]"#,
            imports: "",
            check: r#"    let dependencies = doc.dependencies;
    if dependencies == () || !dependencies.is_map() { return; }
    for name in params.banned {
        let key = dependencies.key(name);
        if key != () {
            report(key, `the dependency ``${name}`` is banned in our projects`);
        }
    }"#,
            fail: "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"moment\": \"2.30.1\" // expect: {ID}\n  }\n}\n",
            pass: "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"date-fns\": \"4.1.0\"\n  }\n}\n",
        },
        Kind::DjangoSettings => Template {
            file: "settings.py",
            title: "Django TIME_ZONE is not UTC",
            params: r#"time_zone: "UTC""#,
            imports: "",
            check: r#"    let zone = doc.TIME_ZONE;
    if zone != () && zone.is_string() && zone != params.time_zone {
        report(zone, `TIME_ZONE is ``${zone}``, not ``${params.time_zone}```);
    }"#,
            fail: "TIME_ZONE = \"Europe/Paris\"  # expect: {ID}\n",
            pass: "TIME_ZONE = \"UTC\"\n",
        },
        Kind::Dotenv => Template {
            file: ".env",
            title: "Log level is debug",
            params: "",
            imports: "",
            check: r#"    let level = doc.LOG_LEVEL;
    if level != () && level.to_string().to_lower() == "debug" {
        report(level, "LOG_LEVEL is `debug`: production logs would be flooded and may hold secrets");
    }"#,
            fail: "LOG_LEVEL=debug\n# ^expect: {ID}\n",
            pass: "LOG_LEVEL=info\n",
        },
        Kind::Nginx => Template {
            file: "nginx.conf",
            title: "nginx lists directories",
            params: "",
            imports: "import \"nginx\" as nginx;\n",
            check: r#"    for d in nginx::find(doc.directives, "autoindex") {
        if d.args[0] == "on" {
            report(d.args[0], "`autoindex on` lists every file of the directory to anyone");
        }
    }"#,
            fail: "server {\n    listen 80;\n    autoindex on; # expect: {ID}\n}\n",
            pass: "server {\n    listen 80;\n    autoindex off;\n}\n",
        },
        Kind::PostgresqlConf => Template {
            file: "postgresql.conf",
            title: "PostgreSQL does not log connections",
            params: "",
            imports: "",
            check: r#"    let setting = doc.log_connections;
    if setting != () && setting.falsy() {
        report(setting, `log_connections is ``${setting}``: logins leave no trace`);
    }"#,
            fail: "log_connections = off # expect: {ID}\n",
            pass: "log_connections = on\n",
        },
        Kind::PgHba => Template {
            file: "pg_hba.conf",
            title: "pg_hba.conf trusts connections without a password",
            params: "",
            imports: "",
            check: r#"    for entry in doc {
        if entry.method == "trust" {
            report(entry.method, `connections of ``${entry.user}`` to ``${entry.database}`` need no password`);
        }
    }"#,
            fail: "host all all 10.0.0.0/8 trust # expect: {ID}\n",
            pass: "host all all 10.0.0.0/8 scram-sha-256\n",
        },
        Kind::NextConfig => Template {
            file: "next.config.js",
            title: "Next.js strict mode is off",
            params: "",
            imports: "",
            check: r#"    let strict = doc.reactStrictMode;
    if strict != () && strict == false {
        report(strict, "reactStrictMode is `false`: React's checks for unsafe code are off");
    }"#,
            fail: "module.exports = {\n  reactStrictMode: false, // expect: {ID}\n};\n",
            pass: "module.exports = {\n  reactStrictMode: true,\n};\n",
        },
        Kind::Generic => Template {
            file: "settings.toml",
            title: "Debug mode is on",
            params: "",
            imports: "",
            check: r#"    let flag = doc["debug"];    // `debug` is a Rhai keyword: `doc.debug` does not parse
    if flag != () && flag.truthy() {
        report(flag, `debug is ``${flag}`` in ``${document_path()}```);
    }"#,
            fail: "debug = true # expect: {ID}\n",
            pass: "debug = false\n",
        },
    }
}

/// The files `new` wrote, in the order it wrote them.
pub struct Scaffold {
    pub files: Vec<PathBuf>,
}

/// Writes `<dir>/<area>/<rule>.rhai` and its `fail` and `pass` fixtures under
/// `<dir>/tests/fixtures/<area>/<rule>/`. Refuses when any of them exists. `replaces` is set
/// when `id` is a rule of the default pack.
pub fn scaffold(dir: &Path, id: &str, kind: Kind, replaces: bool) -> Result<Scaffold, String> {
    let valid = id.split_once('/').is_some_and(|(area, name)| {
        [area, name].iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
    });
    if !valid {
        return Err(format!(
            "`{id}` is not a rule id: write `area/rule-name` in lowercase kebab-case, e.g. `compose/team-label`"
        ));
    }
    let t = template(kind);
    let fixtures = dir.join(super::test::FIXTURES).join(id);
    let files = [
        (
            dir.join(format!("{id}.rhai")),
            rule_text(id, kind, &t, replaces),
        ),
        (
            fixtures.join("fail").join(t.file),
            t.fail.replace("{ID}", id),
        ),
        (fixtures.join("pass").join(t.file), t.pass.to_string()),
    ];
    if let Some((existing, _)) = files.iter().find(|(path, _)| path.exists()) {
        return Err(format!(
            "`{}` exists already; `new` does not overwrite: pick another id or remove it",
            existing.display()
        ));
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create `{}`: {err}", parent.display()))?;
        }
        std::fs::write(path, text)
            .map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
    }
    Ok(Scaffold {
        files: files.into_iter().map(|(path, _)| path).collect(),
    })
}

fn rule_text(id: &str, kind: Kind, t: &Template, replaces: bool) -> String {
    let lang = match t.file.rsplit('.').next() {
        Some("yml" | "yaml") => "yaml",
        Some("py") => "python",
        Some("json") => "json",
        Some("tf") => "hcl",
        Some("js") => "js",
        Some("toml") => "toml",
        _ if t.file == "Dockerfile" => "dockerfile",
        _ => "",
    };
    let example = |text: &str| {
        text.replace("{ID}", id)
            .lines()
            .map(
                |line| match line.find(" # expect:").or(line.find(" // expect:")) {
                    Some(at) => line[..at].trim_end().to_string(),
                    None if line.contains("^expect:") => String::new(),
                    None => line.to_string(),
                },
            )
            .filter(|line| !line.is_empty())
            .map(|line| format!("//! {line}\n"))
            .collect::<String>()
    };
    let params = match t.params {
        "" => String::new(),
        p => format!(
            "    // Defaults; preflight.toml can override them under [rules.params.\"{id}\"].\n    params: #{{ {p} }},\n"
        ),
    };
    let replaces = if replaces {
        "    // The default pack has a rule with this id: this one runs instead.\n    replaces: true,\n"
    } else {
        ""
    };
    format!(
        "//! {title}.
//!
//! ## What it does
//! TODO: say what the rule flags, and what it leaves alone.
//!
//! ## Why is this bad?
//! TODO: the risk in production, in a sentence or two.
//!
//! ## Example
//! ```{lang}
{bad}//! ```
//!
//! ## Use instead
//! ```{lang}
{good}//! ```

{imports}const META = #{{
    id: \"{id}\",
    title: \"{title}\",
    severity: \"medium\",
    applies_to: [\"{kind}\"],
    help: \"TODO: the fix, in one sentence.\",
{params}{replaces}}};

// Called once for each `{kind}` document; `preflight parse FILE` shows the tree `doc` is.
fn check(doc) {{
{check}
}}
",
        title = t.title,
        bad = example(t.fail),
        good = example(t.pass),
        imports = if t.imports.is_empty() {
            String::new()
        } else {
            format!("{}\n", t.imports)
        },
        check = t.check,
    )
}

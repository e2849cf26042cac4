//! Reading the bridge's OpenAPI document in tests (`rest_api.rs`): the paths the bridge
//! routes (read from its source), the document's operations, and a checker of real answers
//! against the documented responses (the JSON Schema keywords utoipa emits: `$ref`, `type`,
//! `oneOf`/`anyOf`/`allOf`, `enum`, `properties`, `required`, `additionalProperties`,
//! `items`, `minimum`/`maximum`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

/// Routed paths that are not HTTP API and stay out of the document: the page, its assets, the
/// websocket (docs/WEBSOCKET.md).
pub const NOT_API: [&str; 4] = ["/", "/index.html", "/static/{*path}", "/ws"];

/// The HTTP methods an OpenAPI path item may hold, lower case.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every path the bridge routes: the string literal of each `.route(` in `bridge/src`,
/// outside comments and `#[cfg(test)] mod tests`. Read from the source because axum cannot list a
/// router's routes: a route added without documentation thus fails the document test.
pub fn routed_paths() -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut dirs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let file = entry.unwrap().path();
            if file.is_dir() {
                dirs.push(file);
                continue;
            }
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let code: Vec<&str> = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            let code = code.join("\n");
            for (i, _) in code.match_indices(".route(") {
                let args = code[i + ".route(".len()..].trim_start();
                let path = args
                    .strip_prefix('"')
                    .and_then(|a| a.split_once('"'))
                    .map(|(p, _)| p)
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: a route whose path is not a string literal ({}...): write it \
                             as a literal so this test can read it",
                            file.display(),
                            &args[..args.len().min(40)]
                        )
                    });
                paths.insert(path.to_owned());
            }
        }
    }
    paths
}

/// The operations of the document: (path template, lower-case method, operation).
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item[m].is_object() {
                ops.push((path.clone(), m.to_owned(), item[m].clone()));
            }
        }
    }
    ops
}

/// The documented path template a concrete path (query allowed) falls under, preferring
/// literal segments over parameters (`/api/v1/health/live` is not `/.../{id}/health`).
pub fn template_of(doc: &Value, path: &str) -> String {
    let path = path.split('?').next().unwrap();
    let segments: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter_map(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            let fits = ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && t.ends_with('}')));
            fits.then(|| (ts.iter().filter(|t| !t.starts_with('{')).count(), t.clone()))
        })
        .max()
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("{path} falls under no documented path"))
}

/// Follows `$ref`s within the document.
pub fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("external $ref {r}"));
            resolve(
                doc,
                doc.pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref {r}")),
            )
        }
        None => v,
    }
}

/// The documented response of `method template` for `status` (`$ref`s followed); panics
/// when the status is not documented.
pub fn response<'a>(doc: &'a Value, method: &str, template: &str, status: u16) -> &'a Value {
    let op = &doc["paths"][template][method];
    assert!(op.is_object(), "{method} {template} is not documented");
    let r = &op["responses"][status.to_string()];
    assert!(
        r.is_object(),
        "{} {template} answered {status}, which its documentation does not list: {}",
        method.to_uppercase(),
        op["responses"]
    );
    resolve(doc, r)
}

/// Checks an answer against the document: its status is documented for the operation, and
/// its body conforms to the documented content (JSON: the schema, strictly: no undocumented
/// member; other types: the content type is the documented one). Returns the template.
pub fn check_answer(
    doc: &Value,
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &str,
) -> String {
    let template = template_of(doc, path);
    let method = method.to_lowercase();
    let documented = response(doc, &method, &template, status);
    let content = documented["content"].as_object();
    let what = format!("{} {path} -> {status}", method.to_uppercase());
    if body.is_empty() {
        assert!(
            content.is_none_or(|c| c.is_empty()),
            "{what}: empty body, documented {content:?}"
        );
        return template;
    }
    let content = content.unwrap_or_else(|| panic!("{what}: a body, none documented: {body}"));
    let content_type = content_type.unwrap_or_else(|| panic!("{what}: no Content-Type"));
    if content_type.starts_with("application/json") {
        let schema = &content
            .get("application/json")
            .unwrap_or_else(|| panic!("{what}: JSON, documented {content:?}"))["schema"];
        let value: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
        if schema.is_object() {
            let mut errors = Vec::new();
            violations(doc, schema, &value, "$", &mut errors);
            assert!(
                errors.is_empty(),
                "{what}: the body does not match its documented schema:\n{}\n{value:#}",
                errors.join("\n")
            );
        }
    } else {
        assert!(
            content.contains_key(content_type),
            "{what}: Content-Type {content_type}, documented {:?}",
            content.keys().collect::<Vec<_>>()
        );
    }
    template
}

/// Where `value` breaks `schema`, appended to `out` (nothing when it conforms).
pub fn violations(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    let fits = |s: &Value| {
        let mut o = Vec::new();
        violations(doc, s, value, at, &mut o);
        o.is_empty()
    };
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema[key].as_array() {
            if !alternatives.iter().any(fits) {
                out.push(format!("{at}: {value} fits none of {key} {alternatives:?}"));
            }
            return;
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            violations(doc, s, value, at, out);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        out.push(format!("{at}: {value} is not {types:?}"));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(n), Some(min)) = (value.as_f64(), schema["minimum"].as_f64()) {
        if n < min {
            out.push(format!("{at}: {n} < minimum {min}"));
        }
    }
    if let (Some(n), Some(max)) = (value.as_f64(), schema["maximum"].as_f64()) {
        if n > max {
            out.push(format!("{at}: {n} > maximum {max}"));
        }
    }
    match value {
        Value::Object(members) => {
            let properties = schema["properties"].as_object();
            let additional = &schema["additionalProperties"];
            for (k, v) in members {
                let here = format!("{at}.{k}");
                match (properties.and_then(|p| p.get(k)), additional) {
                    (Some(s), _) => violations(doc, s, v, &here, out),
                    (None, Value::Object(_)) => violations(doc, additional, v, &here, out),
                    (None, Value::Bool(true)) => {}
                    // An object schema without properties is a free-form object.
                    (None, _) if properties.is_none() => {}
                    (None, _) => out.push(format!("{here}: not a documented property")),
                }
            }
            for r in schema["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap();
                if !members.contains_key(r) {
                    out.push(format!("{at}: required {r:?} missing"));
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, v) in items.iter().enumerate() {
                violations(doc, &schema["items"], v, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Whether `value` is of JSON Schema type `t`.
fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// Replaces each `{param}` of a template with `value`.
pub fn instantiate(template: &str, value: &str) -> String {
    template
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                value
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

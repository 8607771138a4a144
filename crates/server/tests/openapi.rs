//! The OpenAPI document lists exactly the `/api/v1` routes of the source, and every
//! documented operation is routed; every UI string a template or page uses is defined.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use std::collections::BTreeSet;

/// `(method, path)` of every `.route("/api/...", get(..).post(..))` in `src/`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            // The call's text up to its closing parenthesis.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let call = &rest[..end];
            let Some(path) = call.split('"').nth(1) else {
                continue;
            };
            if !path.starts_with("/api/") {
                continue;
            }
            let handlers = &call[call.find(',').unwrap()..];
            for m in ["get", "post", "put", "patch", "delete"] {
                let direct = format!(" {m}(");
                let chained = format!(".{m}(");
                let spaced = format!("\n{m}(");
                if handlers.contains(&direct)
                    || handlers.contains(&chained)
                    || handlers.contains(&spaced)
                {
                    out.insert((m.to_string(), path.to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn openapi_lists_exactly_the_routes() {
    let doc = zp_server::openapi::document();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let routed = routes_in_source();
    assert!(routed.len() > 20, "found {routed:?}");
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from OpenAPI: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let t = common::app();
    let doc = zp_server::openapi::document();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let uri = path.replace(['{', '}'], "");
            let req = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
                .uri(&uri)
                .body(Body::empty())
                .unwrap();
            let r = t.send(req).await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                !(r.status == StatusCode::NOT_FOUND && r.text.contains("no route")),
                "{method} {path} is not routed"
            );
            if ops[method].get("security").is_none() {
                assert_eq!(
                    r.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} needs login"
                );
            }
        }
    }
}

/// Keys in `lang.t("...")` calls and `label: "..."` of navigation entries.
fn keys_in(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    // Comments hold examples, and the i18n tests use a missing key on purpose.
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//") && !l.contains("no.such.key"))
        .collect::<Vec<_>>()
        .join("\n");
    for marker in [".t(\"", "label: \""] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            let key = &rest[..rest.find('"').unwrap()];
            if key.contains('.') && !key.contains('{') {
                keys.push(key.to_string());
            }
        }
    }
    keys
}

#[test]
fn every_ui_string_used_is_defined() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut missing = Vec::new();
    let mut files = Vec::new();
    let mut dirs: Vec<std::path::PathBuf> = ["templates", "src"]
        .iter()
        .map(|d| std::path::Path::new(root).join(d))
        .collect();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    {
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for key in keys_in(&text) {
                if !zp_server::i18n::has(&key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undefined UI strings: {missing:#?}");
}

//! The OpenAPI document lists exactly the `/api/v1` routes of the source, and every
//! documented operation is routed; every UI string a template or page uses is defined.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use std::collections::BTreeSet;

/// Every file under the crate's folders `dirs`, at any depth (modules may be folders).
fn files_under(dirs: &[&str]) -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<std::path::PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
    let mut files = Vec::new();
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
    files
}

/// `(method, path)` of every `.route("/api/...", get(..).post(..))` in `src/`.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for path in files_under(&["src"]) {
        let text = std::fs::read_to_string(path).unwrap();
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
    let mut missing = Vec::new();
    for path in files_under(&["templates", "src"]) {
        let text = std::fs::read_to_string(&path).unwrap();
        for key in keys_in(&text) {
            if !zp_server::i18n::has(&key) {
                missing.push(format!("{}: {key}", path.display()));
            }
        }
    }
    assert!(missing.is_empty(), "undefined UI strings: {missing:#?}");
}

/// The schema of query parameter `name` of `method path`; of an optional one, the schema
/// of its value (the alternative being the empty string, the same as absent).
fn param(doc: &serde_json::Value, method: &str, path: &str, name: &str) -> serde_json::Value {
    let p = doc["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no {method} {path}"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"))
        .clone();
    value_schema(&p)
}

fn value_schema(p: &serde_json::Value) -> serde_json::Value {
    match p["schema"]["anyOf"].as_array() {
        Some(alternatives) => {
            assert_eq!(p["required"], false, "{p}");
            assert_eq!(
                alternatives[1],
                serde_json::json!({"type": "string", "maxLength": 0}),
                "{p}"
            );
            alternatives[0].clone()
        }
        None => p["schema"].clone(),
    }
}

/// Issue 22 #22: parameters carry types a client (or a fuzzer) can rely on, downloads
/// their own media types, and the 413/415/422/429/503 answers the API gives are documented.
#[test]
fn openapi_parameters_are_typed_and_downloads_have_their_media_types() {
    use serde_json::json;
    let doc = zp_server::openapi::document();
    let map = "/api/v1/reports/carbon-map";
    assert_eq!(
        param(&doc, "get", map, "from"),
        json!({"type": "string", "format": "date"})
    );
    assert_eq!(
        param(&doc, "get", map, "by"),
        json!({"type": "string", "enum": ["hour", "day", "month"]})
    );
    assert_eq!(
        param(&doc, "get", map, "org"),
        json!({"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$"})
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/inventory", "year"),
        json!({"type": "integer", "minimum": i32::MIN, "maximum": i32::MAX})
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/inventory", "grid_factor"),
        json!({"type": "string", "enum": ["provincial", "national"]})
    );
    assert_eq!(
        param(&doc, "delete", "/api/v1/tokens/{id}", "id"),
        json!({"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX})
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/finance/projects/{id}", "id"),
        json!({"type": "string", "minLength": 1}),
        "project ids are names"
    );
    assert_eq!(
        param(&doc, "get", "/api/v1/reports/bill", "month"),
        json!({"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}),
        "a YYYY-MM month is not a month number"
    );
    // The demo's credit codes match the documented pattern (GB 32100 alphabet, 18 long).
    let alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for code in [common::org_a(), common::org_c()] {
        assert!(
            code.len() == 18 && code.chars().all(|c| alphabet.contains(c)),
            "{code}"
        );
    }
    // Every parameter has a type.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().unwrap() {
                assert!(value_schema(p)["type"].is_string(), "{method} {path}: {p}");
            }
        }
    }
    // Downloads: Parquet readings, Excel loan reports.
    let ok = |method: &str, path: &str| {
        doc["paths"][path][method]["responses"]["200"]["content"].clone()
    };
    assert_eq!(
        ok("get", "/api/v1/readings/export"),
        json!({"application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}}})
    );
    let loans = ok("get", "/api/v1/finance/reports/loans");
    assert!(loans["application/json"].is_object(), "{loans}");
    assert!(
        loans["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"].is_object(),
        "{loans}"
    );
    // The refusals the API sends.
    let responses = |method: &str, path: &str| doc["paths"][path][method]["responses"].clone();
    let upload = responses("post", "/api/v1/imports/{kind}");
    let kinds = param(&doc, "post", "/api/v1/imports/{kind}", "kind");
    for k in [
        "orgs",
        "activity",
        "meters",
        "grid-hourly",
        "readings",
        "indicators",
        "factors",
    ] {
        assert!(
            kinds["enum"].as_array().unwrap().contains(&json!(k)),
            "{kinds}"
        );
    }
    for code in ["413", "415", "422", "507"] {
        assert!(upload[code].is_object(), "upload {code}: {upload}");
    }
    assert!(responses("post", "/api/v1/tokens")["415"].is_object());
    assert!(responses("get", map)["422"].is_object());
    assert!(responses("get", map)["503"].is_object());
    assert_eq!(
        responses("post", "/api/v1/session")["429"],
        json!({"$ref": "#/components/responses/RateLimited"})
    );
}

/// Every documented read without required parameters answers, as the platform admin,
/// with a documented status and a documented media type.
#[tokio::test]
async fn reads_answer_as_documented() {
    let t = common::app();
    let doc = zp_server::openapi::document();
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let Some(op) = ops.get("get") else { continue };
        let needs_input = path.contains('{')
            || op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["required"] == true);
        if needs_input {
            continue;
        }
        let r = t.get(Some("admin"), path).await;
        let status = r.status.as_u16().to_string();
        let documented = &op["responses"][&status];
        assert!(
            documented.is_object(),
            "GET {path}: {status} is not documented: {}",
            r.text
        );
        let media = r.header_head("content-type");
        let content = if documented["$ref"].is_string() {
            doc["components"]["responses"]["Error"]["content"].clone()
        } else {
            documented["content"].clone()
        };
        assert!(
            content[&media].is_object(),
            "GET {path}: {media} is not documented for {status}"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} reads checked");
}

/// Issue 22 #22: request bodies have the schemas of the handlers' body types, required
/// fields and types included, with no `$ref` into another schema's `$defs`.
#[test]
fn openapi_request_bodies_have_the_schemas_of_their_types() {
    let doc = zp_server::openapi::document();
    let body = |path: &str| {
        doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"].clone()
    };
    let issue = body("/api/v1/certs/issue");
    assert_eq!(issue["type"], "object", "{issue}");
    assert_eq!(
        issue["required"],
        serde_json::json!(["from", "to"]),
        "{issue}"
    );
    assert_eq!(issue["properties"]["from"]["type"], "string", "{issue}");
    let action = body("/api/v1/finance/applications/{id}/actions");
    assert_eq!(
        action["properties"]["action"]["enum"],
        serde_json::json!(["review", "approve", "reject", "disburse", "repay", "close"])
    );
    let site = body("/api/v1/orgs/{code}/sites");
    assert_eq!(site["required"], serde_json::json!(["name"]), "{site}");
    let text = doc.to_string();
    assert!(!text.contains("$defs"), "sub-schemas are inlined");
    // What creates answers 201, documented as such.
    let tokens = &doc["paths"]["/api/v1/tokens"]["post"]["responses"];
    assert!(
        tokens["201"].is_object() && tokens["200"].is_null(),
        "{tokens}"
    );
    // Every JSON body has a typed schema, the domain records taken whole included.
    let project = body("/api/v1/finance/projects");
    assert_eq!(
        project["properties"]["kind"]["enum"][0], "energy_efficiency",
        "{project}"
    );
    assert_eq!(
        project["properties"]["org"]["pattern"],
        zp_server::openapi::CREDIT_CODE_PATTERN
    );
    let mut loose = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if let Some(s) =
            ops["post"]["requestBody"]["content"]["application/json"]["schema"].as_object()
            && s.get("properties").is_none()
        {
            loose.push(path.clone());
        }
    }
    loose.sort();
    assert_eq!(loose, Vec::<String>::new(), "bodies without a schema");
}

/// Issue 22 #22: every JSON success answer has the schema of the handler's answer type;
/// decimals are documented as the JSON numbers they are written as.
#[test]
fn openapi_success_answers_have_the_schemas_of_their_types() {
    let doc = zp_server::openapi::document();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for code in ["200", "201"] {
                let schema = &op["responses"][code]["content"]["application/json"]["schema"];
                if !schema.is_null() && schema.as_object().is_none_or(|o| o.is_empty()) {
                    missing.push(format!("{method} {path} {code}"));
                }
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new(), "answers without a schema");
    let ok = |method: &str, path: &str, code: &str| {
        doc["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
            .clone()
    };
    // Decimals are numbers; an optional decimal is a number or null.
    let inv = ok("get", "/api/v1/inventory", "200");
    assert_eq!(inv["properties"]["energy_tce"]["type"], "number", "{inv}");
    assert_eq!(
        inv["properties"]["clean_electricity_share"]["type"],
        serde_json::json!(["number", "null"]),
        "{inv}"
    );
    assert!(
        !doc.to_string().contains(r"^-?\\d+(\\.\\d+)?$"),
        "no decimal documented as a string"
    );
    // Wrapped answers name their keys as required.
    let me = ok("get", "/api/v1/me", "200");
    assert_eq!(
        me["properties"]["user"]["required"],
        serde_json::json!(["username", "role", "scope", "disabled", "created_at"]),
        "{me}"
    );
    let created = ok("post", "/api/v1/tokens", "201");
    assert!(
        created["required"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("token")),
        "{created}"
    );
    // Written regions are the codes.
    let regions = ok("get", "/api/v1/carbon-map/regions", "200");
    let codes = &regions["properties"]["regions"]["items"]["properties"]["code"];
    assert_eq!(codes["type"], "string", "{regions}");
    let sites = ok("get", "/api/v1/carbon-map/parks/{park}", "200");
    assert_eq!(
        sites["properties"]["orgs"]["items"]["properties"]["lat"]["type"],
        serde_json::json!(["number", "null"])
    );
}

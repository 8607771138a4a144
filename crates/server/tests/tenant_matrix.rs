//! Issue 19, security: a role x endpoint matrix over the whole OpenAPI document. Every
//! documented `GET` is called by each tenant-scoped role with another tenant's ids in every
//! parameter that names an enterprise, a park or a region (the rest filled with valid
//! values), and no answer, whatever its status, holds the other tenant's enterprise names:
//! 0 leaks. Runs on SQLite and on PostgreSQL.

mod common;

use common::*;
use serde_json::Value;
use zp_app::demo::{DEMO_PARK, DEMO_PARK_SC, DEMO_YEAR};

backends!(no_documented_read_leaks_another_tenant);

/// A value for parameter `name` (schema `p`) pointing at the other tenant.
fn value(name: &str, p: &Value, other: &Other) -> String {
    let schema = &p["schema"];
    let enumerated = schema["enum"]
        .as_array()
        .and_then(|e| e.first())
        .and_then(Value::as_str);
    match name {
        "org" | "code" | "consumer" | "owner" | "credit_code" | "enterprise" => other.org.clone(),
        "park" | "name" => enc(&other.park),
        "region" => other.region.to_string(),
        "year" | "base_year" => DEMO_YEAR.to_string(),
        "month" => format!("{DEMO_YEAR}-07"),
        "from" | "to" | "date" | "day" => format!("{DEMO_YEAR}-07-10"),
        _ => match (
            enumerated,
            schema["type"].as_str(),
            schema["format"].as_str(),
        ) {
            (Some(e), _, _) => e.to_string(),
            (_, _, Some("date")) => format!("{DEMO_YEAR}-07-10"),
            (_, Some("integer" | "number"), _) => "1".into(),
            (_, Some("boolean"), _) => "true".into(),
            _ => "x".into(),
        },
    }
}

struct Other {
    org: String,
    park: String,
    region: &'static str,
    /// Names of the other tenant's enterprises: none may appear in an answer.
    secrets: Vec<String>,
}

async fn no_documented_read_leaks_another_tenant(t: &TestApp) {
    let doc = zp_server::openapi::document();
    let (a, b, c) = (org_a(), org_b(), org_c());
    let cases = [
        // An enterprise user: the other enterprise of its park, and the other park's.
        (
            "ent_a",
            Other {
                org: b.clone(),
                park: DEMO_PARK_SC.into(),
                region: "SC",
                secrets: vec![name_of(&b), name_of(&c)],
            },
        ),
        // A park administrator: the other park, its enterprise and region.
        (
            "park",
            Other {
                org: c.clone(),
                park: DEMO_PARK_SC.into(),
                region: "SC",
                secrets: vec![name_of(&c)],
            },
        ),
        (
            "park_sc",
            Other {
                org: a.clone(),
                park: DEMO_PARK.into(),
                region: "CQ",
                secrets: vec![name_of(&a), name_of(&b)],
            },
        ),
    ];
    let mut calls = 0;
    for (user, other) in &cases {
        for (path, ops) in doc["paths"].as_object().unwrap() {
            let Some(op) = ops.get("get") else { continue };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut uri = path.clone();
            let mut query = Vec::new();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                let v = value(name, p, other);
                match p["in"].as_str() {
                    Some("path") => uri = uri.replace(&format!("{{{name}}}"), &v),
                    Some("query") => query.push(format!("{name}={v}")),
                    _ => {}
                }
            }
            if !query.is_empty() {
                uri = format!("{uri}?{}", query.join("&"));
            }
            let r = t.get(Some(user), &uri).await;
            assert!(r.status.as_u16() < 500, "{user} GET {uri}: {}", r.status);
            for secret in &other.secrets {
                assert!(
                    !r.text.contains(secret.as_str()),
                    "{user} GET {uri} ({}): the other tenant's {secret:?} in the answer",
                    r.status
                );
            }
            calls += 1;
        }
    }
    assert!(calls >= 3 * 40, "only {calls} calls");
}

//! Fuzzing of the API's JSON bodies (issue 19): every documented `POST` with a JSON body
//! receives bodies built from its schema (the right keys with values of the right type,
//! the wrong type, huge numbers, far-future and impossible dates, control characters) or
//! arbitrary JSON, or bytes that are not JSON, as users of several roles. The server never
//! answers 5xx, and every error is `{"error": {"code", "message"}}` with both non-empty.
//! `PROPTEST_CASES=20000 cargo test -p zp-server --test fuzz` runs more cases.

mod common;

#[path = "../../../tests/support/fuzz.rs"]
mod fuzz_support;
use axum::body::Body;
use axum::http::Request;
use common::*;
use fuzz_support::config;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Map, Value, json};
use zp_server::openapi::{Body as OpBody, all_ops};

/// Operations left out: they reach out to the network (webhooks).
const SKIP: &[&str] = &["/api/v1/webhooks", "/api/v1/alerts/check"];

/// The fuzzed operations: (path, schema of the body; `{}` for a schemaless JSON body).
fn operations() -> Vec<(&'static str, Value)> {
    all_ops()
        .filter(|(_, op)| op.method == "post" && !SKIP.contains(&op.path))
        .filter_map(|(_, op)| match op.body {
            OpBody::Schema(schema) => Some((op.path, schema())),
            OpBody::Json => Some((op.path, json!({}))),
            OpBody::None | OpBody::Upload => None,
        })
        .collect()
}

/// Text that has broken parsers.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "\0",
    "\x1b[31m",
    "\r\n",
    "\u{feff}",
    "\u{202e}",
    "9999-12-31",
    "+275760-09-13",
    "2023-02-30",
    "0000-00-00",
    "9999-12",
    "2023-13",
    "1e400",
    "-1",
    "NaN",
    "1,000",
    "../../etc/passwd",
    "<script>",
    "'; DROP TABLE orgs; --",
    "电力",
    "CQ",
    "national-2023",
];

/// Numbers beyond what the handlers' types hold, kept exact (arbitrary precision).
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "2.5e-7",
    "1e400",
    "-1e400",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "123456789012345678901234567890.123456789",
    "1e-400",
];

/// One of [`NUMBERS`], as a JSON number.
fn number(i: &Index) -> Value {
    let text: &&str = i.get(NUMBERS);
    serde_json::from_str(text).unwrap()
}

/// Random choices that turn a schema into a body: one per value built, reused in turn.
#[derive(Debug, Clone)]
struct Choices(Vec<(u8, Index)>);

impl Choices {
    fn next(&self, k: &mut usize) -> (u8, Index) {
        let c = self.0[*k % self.0.len()];
        *k += 1;
        c
    }
}

/// The schema `s` points to (`$ref` into `$defs` resolved against `root`).
fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/$defs/")
            .and_then(|name| root["$defs"].get(name))
            .unwrap_or(s),
        None => s,
    }
}

/// A value for schema `s`: usually of its type, sometimes hostile or of another type.
fn value_for(root: &Value, s: &Value, c: &Choices, k: &mut usize, depth: u32) -> Value {
    let s = resolve(root, s);
    let (sel, i) = c.next(k);
    if sel < 2 || depth > 4 {
        return match sel % 4 {
            0 => Value::String(i.get(HOSTILE).to_string()),
            1 => number(&i),
            2 => Value::Null,
            _ => json!([]),
        };
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = s.get(key).and_then(Value::as_array)
            && !branches.is_empty()
        {
            return value_for(root, i.get(branches), c, k, depth + 1);
        }
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array)
        && !options.is_empty()
    {
        return i.get(options).clone();
    }
    let ty = match &s["type"] {
        Value::Array(types) if !types.is_empty() => i.get(types).as_str().unwrap_or(""),
        t => t.as_str().unwrap_or(""),
    };
    match ty {
        "object" => object_for(root, s, c, k, depth + 1),
        "array" => {
            let n = i.index(4);
            (0..n)
                .map(|_| value_for(root, &s["items"], c, k, depth + 1))
                .collect()
        }
        "integer" | "number" => number(&i),
        "boolean" => Value::Bool(sel % 2 == 0),
        "null" => Value::Null,
        _ => {
            let typical = [
                org_a(),
                org_c(),
                "2023-07-01".into(),
                "2023-07".into(),
                "2023".into(),
                "CQ".into(),
                "admin".into(),
                "1".into(),
            ];
            match (s["format"].as_str(), sel % 3) {
                (Some("date"), 0) => Value::String("2023-06-30".into()),
                (_, 1) => Value::String(i.get(&typical).clone()),
                _ => Value::String(i.get(HOSTILE).to_string()),
            }
        }
    }
}

/// An object with the schema's properties, each present or not.
fn object_for(root: &Value, s: &Value, c: &Choices, k: &mut usize, depth: u32) -> Value {
    let mut out = Map::new();
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, p) in props {
            let (sel, _) = c.next(k);
            if sel % 8 != 0 {
                out.insert(name.clone(), value_for(root, p, c, k, depth));
            }
        }
    }
    let (sel, i) = c.next(k);
    if sel == 9 {
        out.insert(
            "unexpected".into(),
            Value::String(i.get(HOSTILE).to_string()),
        );
    }
    Value::Object(out)
}

/// One request: operation, caller, path parameter, body.
#[derive(Debug, Clone)]
struct Case {
    op: Index,
    user: Index,
    param: Index,
    form: u8,
    choices: Choices,
    /// For bodies that are not JSON.
    bytes: Vec<u8>,
    damage: Option<Index>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
        0u8..10,
        prop::collection::vec((0u8..10, any::<Index>()), 1..64),
        prop::collection::vec(any::<u8>(), 0..64),
        prop::option::of(any::<Index>()),
    )
        .prop_map(|(op, user, param, form, choices, bytes, damage)| Case {
            op,
            user,
            param,
            form,
            choices: Choices(choices),
            bytes,
            damage,
        })
}

/// A value for each path parameter: typical ones, and ones no handler expects.
fn path_param(name: &str, i: &Index) -> String {
    let typical: &[String] = &match name {
        "code" => vec![org_a(), org_c(), "91500105MA5YRE01BX".into()],
        "id" => vec!["1".into(), "2".into(), "0".into()],
        "name" => vec!["national-2023".into(), "cq-2023".into()],
        _ => vec!["1".into()],
    };
    let odd = [
        "-1",
        "99999999999999999999",
        "abc",
        "%00",
        "%E7%94%B5",
        "..",
        "x%2Fy",
    ];
    let n = typical.len() + odd.len();
    let k = i.index(n);
    typical
        .get(k)
        .cloned()
        .unwrap_or_else(|| odd[k - typical.len()].to_string())
}

fn uri(path: &str, i: &Index) -> String {
    path.split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => path_param(name, i),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

fn body(case: &Case, schema: &Value) -> Vec<u8> {
    let mut k = 0;
    let mut text = match case.form {
        0..=5 => object_for(schema, schema, &case.choices, &mut k, 0).to_string(),
        6 | 7 => value_for(&json!({}), &json!({}), &case.choices, &mut k, 0).to_string(),
        _ => return case.bytes.clone(),
    }
    .into_bytes();
    if let Some(at) = &case.damage
        && !text.is_empty()
    {
        // One byte cut out: usually JSON no longer.
        text.remove(at.index(text.len()));
    }
    text
}

/// The response to one case must not be a server error, and an error must be a JSON error.
async fn check(
    t: &TestApp,
    ops: &[(&str, Value)],
    case: &Case,
    seen: &std::cell::RefCell<std::collections::BTreeMap<u16, usize>>,
) -> Result<(), TestCaseError> {
    let (path, schema) = case.op.get(ops);
    let user = *case
        .user
        .get(&["admin", "admin", "ent_a", "park", "bank", "verifier"]);
    let uri = uri(path, &case.param);
    let body = body(case, schema);
    let req = Request::post(&uri)
        .header("authorization", format!("Bearer {}", token_of(user)))
        .header("content-type", "application/json")
        .body(Body::from(body.clone()))
        .unwrap();
    let r = t.send(req).await;
    *seen.borrow_mut().entry(r.status.as_u16()).or_default() += 1;
    let shown = String::from_utf8_lossy(&body);
    prop_assert!(
        r.status.as_u16() < 500,
        "POST {uri} as {user} with {shown}: {} {}",
        r.status,
        r.text
    );
    if r.status.is_client_error() {
        let ctype = r
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        prop_assert!(
            ctype.starts_with("application/json"),
            "POST {uri} as {user} with {shown}: {} with content type {ctype:?}: {}",
            r.status,
            r.text
        );
        let v: Value = serde_json::from_str(&r.text).unwrap_or(Value::Null);
        let (code, message) = (&v["error"]["code"], &v["error"]["message"]);
        prop_assert!(
            code.as_str().is_some_and(|c| !c.is_empty())
                && message.as_str().is_some_and(|m| !m.trim().is_empty()),
            "POST {uri} as {user} with {shown}: {} error body {}",
            r.status,
            r.text
        );
    }
    Ok(())
}

/// Random bodies to every JSON `POST` of the API.
#[test]
fn api_json_bodies_never_get_5xx_and_errors_are_json() {
    let ops = operations();
    assert!(ops.len() >= 30, "{} operations", ops.len());
    let t = app();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(config(512));
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let result = runner.run(&case(), |c| rt.block_on(check(&t, &ops, &c, &seen)));
    if let Err(e) = result {
        panic!("{e}");
    }
    // The bodies reach the handlers: some are taken, most are refused as invalid.
    let seen = seen.into_inner();
    eprintln!("responses by status: {seen:?}");
    assert!(seen.keys().any(|s| (200..300).contains(s)), "{seen:?}");
    assert!(
        seen.contains_key(&422) || seen.contains_key(&400),
        "{seen:?}"
    );
}

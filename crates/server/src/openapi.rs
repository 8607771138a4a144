//! The OpenAPI 3.1 document of `/api/v1`, assembled from every area's [`Op`] list.
//!
//! Each area documents the API routes it serves next to them ([`crate::Area::ops`]); a test
//! (`tests/openapi.rs`) checks both ways that the routes in the source and the operations
//! documented here are the same set, and that every documented operation is routed.

use serde_json::{Map, Value, json};
use zp_app::reports::ReportFormat;

/// A query parameter: name, description, required.
pub type Param = (&'static str, &'static str, bool);

/// How an operation takes its input.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    None,
    /// A JSON object (no schema of its own: an empty or optional body).
    Json,
    /// A JSON body with the schema of the handler's body type ([`schema`]).
    Schema(fn() -> Value),
    /// `multipart/form-data` with a `file` field.
    Upload,
}

/// The schema of an optional date field of a body (`YYYY-MM-DD`, empty or null for none).
pub fn optional_date(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"anyOf": [{"type": "string", "format": "date"},
        {"type": "string", "maxLength": 0}, {"type": "null"}]})
}

/// The JSON schema of `T` (a request body type), self-contained: sub-schemas are inlined
/// so that the document's `$ref`s never point into a `$defs` of another schema.
pub fn schema<T: schemars::JsonSchema>() -> Value {
    generate::<T>(schemars::generate::SchemaSettings::draft2020_12())
}

fn generate<T: schemars::JsonSchema>(settings: schemars::generate::SchemaSettings) -> Value {
    let generator = settings
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut v = generator.into_root_schema_for::<T>().to_value();
    if let Some(o) = v.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
    }
    v
}

/// The JSON schema of `T` as a response: what serde writes. Decimals are written as JSON
/// numbers (`rust_decimal`'s `serde-float`), not the strings schemars assumes.
pub fn response<T: schemars::JsonSchema>() -> Value {
    let mut v = generate::<T>(schemars::generate::SchemaSettings::draft2020_12().for_serialize());
    decimals_as_numbers(&mut v);
    v
}

/// The schema schemars gives a `Decimal` written out.
const DECIMAL_STRING_PATTERN: &str = r"^-?\d+(\.\d+)?$";

fn decimals_as_numbers(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("pattern") == Some(&json!(DECIMAL_STRING_PATTERN)) {
                // `"string"`, or `["string", "null"]` for an optional decimal.
                let number = match o.get("type") {
                    Some(t) if t == "string" => Some(json!("number")),
                    Some(t) if *t == json!(["string", "null"]) => Some(json!(["number", "null"])),
                    _ => None,
                };
                if let Some(t) = number {
                    o.remove("pattern");
                    o.insert("type".into(), t);
                }
            }
            o.values_mut().for_each(decimals_as_numbers);
        }
        Value::Array(a) => a.iter_mut().for_each(decimals_as_numbers),
        _ => {}
    }
}

/// One documented API operation.
#[derive(Debug, Clone, Copy)]
pub struct Op {
    /// `get`, `post`, `put`, `patch` or `delete`.
    pub method: &'static str,
    /// As routed, with `{name}` path parameters.
    pub path: &'static str,
    pub summary: &'static str,
    pub query: &'static [Param],
    pub body: Body,
    /// Whether the caller must be authenticated (session cookie or bearer token).
    pub auth: bool,
    /// Success is `201 Created` (the operation creates a resource), not `200 OK`.
    pub created: bool,
    /// The schema of the JSON success answer ([`response`] of the handler's type).
    pub returns: Option<fn() -> Value>,
    /// The success answer is a file of this media type (not JSON).
    pub file: Option<&'static str>,
}

impl Op {
    pub const fn get(path: &'static str, summary: &'static str) -> Op {
        Op {
            method: "get",
            path,
            summary,
            query: &[],
            body: Body::None,
            auth: true,
            created: false,
            returns: None,
            file: None,
        }
    }

    pub const fn post(path: &'static str, summary: &'static str) -> Op {
        Op {
            method: "post",
            body: Body::Json,
            ..Op::get(path, summary)
        }
    }

    pub const fn delete(path: &'static str, summary: &'static str) -> Op {
        Op {
            method: "delete",
            ..Op::get(path, summary)
        }
    }

    pub const fn query(self, query: &'static [Param]) -> Op {
        Op { query, ..self }
    }

    pub const fn body(self, body: Body) -> Op {
        Op { body, ..self }
    }

    /// A JSON body of type `T`: `.json_body(schema::<T>)`.
    pub const fn json_body(self, schema: fn() -> Value) -> Op {
        Op {
            body: Body::Schema(schema),
            ..self
        }
    }

    /// The JSON success answer is a `T`: `.returns(response::<T>)`.
    pub const fn returns(self, schema: fn() -> Value) -> Op {
        Op {
            returns: Some(schema),
            ..self
        }
    }

    /// The success answer is a file of media type `media`.
    pub const fn file(self, media: &'static str) -> Op {
        Op {
            file: Some(media),
            ..self
        }
    }

    /// Success is `201 Created`.
    pub const fn created(self) -> Op {
        Op {
            created: true,
            ..self
        }
    }

    pub const fn public(self) -> Op {
        Op {
            auth: false,
            ..self
        }
    }

    fn path_params(&self) -> Vec<&'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect()
    }

    fn to_json(self, tag: &str) -> Value {
        let mut params: Vec<Value> = self
            .path_params()
            .into_iter()
            .map(|p| {
                let schema = if p == "kind" && self.path.starts_with("/api/v1/imports/") {
                    let kinds: Vec<&str> =
                        zp_app::ImportKind::ALL.iter().map(|k| k.key()).collect();
                    json!({"type": "string", "enum": kinds})
                } else if p == "id"
                    && (self.path.starts_with("/api/v1/finance/projects/")
                        || self.path.starts_with("/api/v1/finance/products/"))
                {
                    // Project and product ids are the names their owners give them.
                    json!({"type": "string", "minLength": 1})
                } else {
                    param_schema(p, if p == "code" { "credit code" } else { "" })
                };
                json!({"name": p, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        params.extend(self.query.iter().map(|(name, desc, required)| {
            let schema = param_schema(name, desc);
            // An empty optional parameter (`?year=`) is the same as an absent one.
            let schema = if *required {
                schema
            } else {
                json!({"anyOf": [schema, {"type": "string", "maxLength": 0}]})
            };
            json!({"name": name, "in": "query", "required": required, "description": desc,
                   "schema": schema})
        }));
        let error = json!({"$ref": "#/components/responses/Error"});
        let (ok, ok_text) = if self.created {
            ("201", "Created")
        } else {
            ("200", "OK")
        };
        let mut responses = json!({
            ok: {"description": ok_text, "content": self.ok_content()},
            "400": error,
            "401": error,
            "403": error,
            "404": error,
            // A file or value that was read but cannot be used (e.g. a window too long).
            "422": error,
        });
        if self.method == "get" {
            // A read that passes the server's deadline (see `deadline.rs`).
            responses["503"] = error.clone();
        } else {
            // A state that forbids the change (already cancelled, already exists).
            responses["409"] = error.clone();
        }
        if self.path == "/api/v1/session" && self.method == "post" {
            responses["429"] = json!({"$ref": "#/components/responses/RateLimited"});
        }
        let mut op = json!({
            "tags": [tag],
            "summary": self.summary,
            "operationId": format!("{}_{}", self.method, self.path.trim_start_matches("/api/v1/")
                .replace(['/', '-'], "_").replace(['{', '}'], "")),
            "parameters": params,
            "responses": responses,
        });
        match self.body {
            Body::None => {}
            Body::Json => {
                op["requestBody"] =
                    json!({"content": {"application/json": {"schema": {"type": "object"}}}});
                op["responses"]["415"] = error.clone();
            }
            Body::Schema(schema) => {
                op["requestBody"] = json!({"required": true,
                    "content": {"application/json": {"schema": schema()}}});
                op["responses"]["415"] = error.clone();
            }
            Body::Upload => {
                op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {
                    "schema": {"type": "object", "required": ["file"],
                               "properties": {"file": {"type": "string", "format": "binary"}}}}}});
                op["responses"]["413"] = error.clone();
                op["responses"]["415"] = error.clone();
                op["responses"]["507"] = error;
            }
        }
        if !self.auth {
            op["security"] = json!([]);
        }
        op
    }

    /// The media types of a 200 answer: JSON, and the downloads a `format` parameter asks
    /// for (Parquet, Excel, PDF).
    fn ok_content(&self) -> Value {
        let mut c = Map::new();
        if let Some(media) = self.file {
            c.insert(
                media.into(),
                json!({"schema": {"type": "string", "format": "binary"}}),
            );
            return Value::Object(c);
        }
        let formats: Vec<&str> = self
            .query
            .iter()
            .filter(|(name, _, _)| *name == "format")
            .flat_map(|(_, desc, _)| choices(desc))
            .collect();
        if formats.is_empty() || formats.contains(&"json") {
            let schema = self.returns.map_or_else(|| json!({}), |f| f());
            c.insert("application/json".into(), json!({ "schema": schema }));
        }
        for f in formats {
            let (media, schema) = match f {
                "parquet" => (
                    "application/vnd.apache.parquet",
                    json!({"type": "string", "format": "binary"}),
                ),
                "xlsx" => (
                    ReportFormat::Xlsx.content_type(),
                    json!({"type": "string", "format": "binary"}),
                ),
                "pdf" => (
                    ReportFormat::Pdf.content_type(),
                    json!({"type": "string", "format": "binary"}),
                ),
                _ => continue,
            };
            c.insert(media.into(), json!({ "schema": schema }));
        }
        Value::Object(c)
    }
}

/// The choices a parameter's description lists: `"hour, day (default) or month"`,
/// `"cost | carbon | cost+carbon (default cost)"`, `"parquet (the only format)"`. Empty
/// when the description is not such a list.
fn choices(desc: &str) -> Vec<&str> {
    // The description without its parenthesised remarks.
    let mut bare = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in desc.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    bare.push(&desc[start..i]);
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    if depth == 0 {
        bare.push(&desc[start..]);
    }
    let words: Vec<&str> = bare
        .into_iter()
        .flat_map(|part| part.split([',', '|']))
        .flat_map(|p| p.split(" or "))
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    let is_choice = |w: &&str| {
        w.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-+".contains(c))
    };
    if words.iter().all(is_choice) && (words.len() > 1 || desc.contains("the only")) {
        words
    } else {
        Vec::new()
    }
}

/// The JSON schema of a path or query parameter, from its name and description: years,
/// months, limits and ids are integers; `YYYY-MM-DD` is a date and `YYYY-MM` a month;
/// credit codes have the GB 32100 form; a description listing its values is an enum;
/// quantities (MWh, MW, fractions, tCO2/tce, yuan) are numbers; anything else a string.
pub fn param_schema(name: &str, desc: &str) -> Value {
    let d = desc.to_ascii_lowercase();
    // Integers within the range of the type the handler reads them into; what is out of
    // the domain's range inside it (a year 5) gets the handler's own error.
    let int = |min: i64, max: i64| json!({"type": "integer", "minimum": min, "maximum": max});
    match name {
        "year" => return int(i32::MIN.into(), i32::MAX.into()),
        "month" if !desc.contains("YYYY-MM") => return int(1, 12),
        "limit" => return json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
        "days" => return int(0, u32::MAX.into()),
        "id" => return int(i64::MIN, i64::MAX),
        "by" if d.contains("year") => return int(i32::MIN.into(), i32::MAX.into()),
        "org" | "code" => {
            return json!({"type": "string", "pattern": CREDIT_CODE_PATTERN});
        }
        _ => {}
    }
    if desc.contains("YYYY-MM-DD") {
        return json!({"type": "string", "format": "date"});
    }
    if desc.contains("YYYY-MM") {
        return json!({"type": "string", "pattern": zp_domain::schema::PERIOD_PATTERN});
    }
    let values = choices(desc);
    if !values.is_empty() {
        return json!({"type": "string", "enum": values});
    }
    let numeric = [
        "mwh",
        " mw",
        "fraction",
        "tco2/tce",
        "yuan per",
        "efficiency",
    ];
    if numeric.iter().any(|u| d.contains(u)) {
        return json!({"type": "number"});
    }
    json!({"type": "string"})
}

pub use zp_domain::schema::CREDIT_CODE_PATTERN;

/// Every documented operation with its area's name.
pub fn all_ops() -> impl Iterator<Item = (&'static str, &'static Op)> {
    crate::AREAS
        .iter()
        .flat_map(|a| a.ops.iter().map(move |op| (a.name, op)))
}

/// The schema of the OpenAPI document itself (its own schema is the OpenAPI 3.1 one).
pub fn document_schema() -> Value {
    json!({"type": "object", "required": ["openapi", "info", "paths"],
           "properties": {"openapi": {"const": "3.1.0"}}})
}

/// The OpenAPI document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (tag, op) in all_ops() {
        let entry = paths
            .entry(op.path.to_string())
            .or_insert_with(|| json!({}));
        entry[op.method] = op.to_json(tag);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "zeropark API",
            "version": "1",
            "description": "Dual-carbon energy and emissions accounts of enterprises, parks and regions. \
                Authenticate with a session cookie (POST /api/v1/session) or an API token \
                (`Authorization: Bearer <token>`, POST /api/v1/tokens). Results are filtered to the \
                caller's scope: what is outside it answers 404. Cookie-authenticated writes need \
                the `X-CSRF-Token` header (GET /api/v1/me returns it). Errors are \
                {\"error\": {\"code\", \"message\"}}.",
            "license": {"name": "Apache-2.0"},
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"],
                        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
                },
            },
            "responses": {
                "Error": {"description": "Error", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Error"}}}},
                "RateLimited": {
                    "description": "Too many login attempts from this source or for this account",
                    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    })
}

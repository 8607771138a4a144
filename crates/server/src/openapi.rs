//! The OpenAPI 3.1 document of `/api/v1`, assembled from every area's [`Op`] list.
//!
//! Each area documents the API routes it serves next to them ([`crate::Area::ops`]); a test
//! (`tests/openapi.rs`) checks both ways that the routes in the source and the operations
//! documented here are the same set, and that every documented operation is routed.

use serde_json::{Map, Value, json};

/// A query parameter: name, description, required.
pub type Param = (&'static str, &'static str, bool);

/// How an operation takes its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Json,
    /// `multipart/form-data` with a `file` field.
    Upload,
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
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        params.extend(self.query.iter().map(|(name, desc, required)| {
            json!({"name": name, "in": "query", "required": required, "description": desc,
                   "schema": {"type": "string"}})
        }));
        let mut op = json!({
            "tags": [tag],
            "summary": self.summary,
            "operationId": format!("{}_{}", self.method, self.path.trim_start_matches("/api/v1/")
                .replace(['/', '-'], "_").replace(['{', '}'], "")),
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {}}},
                "400": {"$ref": "#/components/responses/Error"},
                "401": {"$ref": "#/components/responses/Error"},
                "403": {"$ref": "#/components/responses/Error"},
                "404": {"$ref": "#/components/responses/Error"},
            },
        });
        match self.body {
            Body::None => {}
            Body::Json => {
                op["requestBody"] =
                    json!({"content": {"application/json": {"schema": {"type": "object"}}}});
            }
            Body::Upload => {
                op["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}});
                op["responses"]["413"] = json!({"$ref": "#/components/responses/Error"});
            }
        }
        if !self.auth {
            op["security"] = json!([]);
        }
        op
    }
}

/// Every documented operation with its area's name.
pub fn all_ops() -> impl Iterator<Item = (&'static str, &'static Op)> {
    crate::AREAS
        .iter()
        .flat_map(|a| a.ops.iter().map(move |op| (a.name, op)))
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
            "responses": {
                "Error": {"description": "Error", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"error": {"type": "object", "properties": {
                        "code": {"type": "string"}, "message": {"type": "string"}}}}}}}},
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
    })
}

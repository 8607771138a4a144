//! JSON schemas of the domain's string-form types, for the API's OpenAPI document: what
//! is written (the serialize contract) is the canonical form; what is read (deserialize)
//! is as lenient as the parser.

use crate::{CreditCode, Period, Region};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// A unified social credit code (统一社会信用代码, GB 32100): 18 characters of the code
/// alphabet (digits and capital letters without I, O, Z, S, V). The check character is
/// not expressible in a pattern.
pub const CREDIT_CODE_PATTERN: &str = "^[0-9A-HJ-NPQRTUWXY]{18}$";

/// A calendar month `YYYY-MM`.
pub const PERIOD_PATTERN: &str = "^[0-9]{4}-(0[1-9]|1[0-2])$";

impl JsonSchema for CreditCode {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "CreditCode".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": CREDIT_CODE_PATTERN,
            "description": "Unified social credit code (GB 32100)"})
    }
}

impl JsonSchema for Period {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "pattern": PERIOD_PATTERN,
            "description": "Calendar month YYYY-MM"})
    }
}

impl JsonSchema for Region {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Region".into()
    }

    /// Written: the code of a province, the nation (`CN`) or a regional grid. Read: also
    /// the Chinese or English name or the GB/T 2260 prefix ([`Region::parse`]).
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        if generator.contract().is_serialize() {
            let codes: Vec<&str> = Region::all()
                .chain(Region::grids())
                .map(Region::code)
                .collect();
            json_schema!({"type": "string", "enum": codes})
        } else {
            json_schema!({"type": "string", "minLength": 1,
                "description": "Region code (CQ, CN, GRID-NC ...), Chinese or English name"})
        }
    }
}

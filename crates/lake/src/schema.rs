//! The lake's tables: directory layout, Arrow schemas and the `manifest.json` that
//! describes them. Version 1.
//!
//! ```text
//! DIR/manifest.json
//! DIR/orgs/part-0.parquet                                   enterprises in the caller's scope
//! DIR/meters/part-0.parquet                                 their meters (sub-meters too)
//! DIR/readings/region=CQ/year=2023/month=07/part-0.parquet  one file per partition
//! DIR/grid_hourly/region=CQ/year=2023/month=07/part-0.parquet
//! DIR/grid_annual/region=CQ/year=2023/part-0.parquet
//! DIR/certificates/region=CQ/year=2023/month=07/part-0.parquet  granular certificates
//! ```
//!
//! Partition keys are the enterprise's region code (for certificates, the producing
//! plant's region) and the **local** (Asia/Shanghai) year
//! and month of the interval or hour start; they are directory names only, not columns
//! inside the files (DataFusion adds them back as `Utf8` columns).

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use serde_json::{Value, json};
use std::sync::Arc;

/// Version of the lake layout, written into `manifest.json`. Version 2 added
/// `certificates`; a version 1 lake is refused with the command that rewrites it.
pub const LAKE_VERSION: u32 = 2;

/// The lake's tables, each a directory under the lake.
pub const TABLES: [&str; 6] = [
    "orgs",
    "meters",
    "readings",
    "grid_hourly",
    "grid_annual",
    "certificates",
];

/// Hive partition columns of `readings` and `grid_hourly`.
pub const REGION_YEAR_MONTH: [&str; 3] = ["region", "year", "month"];
/// Hive partition columns of `grid_annual`.
pub const REGION_YEAR: [&str; 2] = ["region", "year"];

/// The type of a column of the lake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Utf8,
    Int64,
    Float64,
}

/// One column of a lake table: name, type, whether it may be null. The writer and each
/// engine build their own Arrow schemas from these (the engine may link another Arrow).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColumnType,
    pub nullable: bool,
}

const fn c(name: &'static str, ty: ColumnType, nullable: bool) -> Column {
    Column { name, ty, nullable }
}

use ColumnType::{Float64, Int64, Utf8};

/// `readings`: one row per present interval reading.
pub const READINGS: &[Column] = &[
    c("meter", Utf8, false),
    c("credit_code", Utf8, false),
    c("ts", Int64, false),
    c("wh", Int64, false),
    c("kind", Utf8, false),
];

/// `meters`: the meter registry.
pub const METERS: &[Column] = &[
    c("meter", Utf8, false),
    c("credit_code", Utf8, false),
    c("kind", Utf8, false),
    c("parent", Utf8, false),
    c("source", Utf8, false),
    c("site", Utf8, false),
    c("end_use", Utf8, false),
];

/// `orgs`: the enterprises.
pub const ORGS: &[Column] = &[
    c("credit_code", Utf8, false),
    c("name", Utf8, false),
    c("region", Utf8, false),
    c("park", Utf8, true),
    c("industry", Utf8, false),
];

/// `grid_hourly`: imported hourly grid factors.
pub const GRID_HOURLY: &[Column] = &[
    c("ts", Int64, false),
    c("tco2_per_mwh", Float64, false),
    c("ng_per_wh", Int64, false),
    c("cfe_share", Float64, true),
];

/// `grid_annual`: the catalog's annual location factor of each local year, used for hours
/// without an hourly factor.
pub const GRID_ANNUAL: &[Column] = &[
    c("factor_id", Utf8, false),
    c("tco2_per_mwh", Float64, false),
    c("ng_per_wh", Int64, false),
    c("note", Utf8, true),
    c("year_start", Int64, false),
    c("year_end", Int64, false),
];

/// `certificates`: the registry's granular (hourly) certificate bundles as they stand at
/// the export, one row per bundle (GECs, monthly, are not in the lake: hourly matching
/// never counts them).
pub const CERTIFICATES: &[Column] = &[
    c("bundle_id", Int64, false),
    c("owner", Utf8, false),
    c("energy_wh", Int64, false),
    c("production_ts", Int64, false),
    c("technology", Utf8, false),
    c("status", Utf8, false),
    c("consumer", Utf8, true),
    c("consumption_ts", Int64, true),
];

/// The Arrow schema the exporter writes for `columns`.
pub fn arrow_schema(columns: &[Column]) -> SchemaRef {
    let field = |col: &Column| {
        let ty = match col.ty {
            Utf8 => DataType::Utf8,
            Int64 => DataType::Int64,
            Float64 => DataType::Float64,
        };
        Field::new(col.name, ty, col.nullable)
    };
    Arc::new(Schema::new(columns.iter().map(field).collect::<Vec<_>>()))
}

/// The description of every table, written as `manifest.json` with the export's counts.
pub fn describe() -> Value {
    json!({
        "orgs": {
            "path": "orgs/part-0.parquet",
            "columns": {
                "credit_code": "Utf8: unified social credit code (GB 32100)",
                "name": "Utf8",
                "region": "Utf8: province code (CQ, SC, ...)",
                "park": "Utf8, null when the enterprise is in no park",
                "industry": "Utf8: GB/T 4754 code"
            }
        },
        "meters": {
            "path": "meters/part-0.parquet",
            "columns": {
                "meter": "Utf8: meter id",
                "credit_code": "Utf8: owning enterprise",
                "kind": "Utf8: consumption | generation | battery_charge | battery_discharge",
                "parent": "Utf8: master meter, empty at the top of the tree (totals count top meters only)",
                "source": "Utf8: generation technology, empty for consumption",
                "site": "Utf8",
                "end_use": "Utf8"
            }
        },
        "readings": {
            "path": "readings/region=R/year=YYYY/month=MM/part-0.parquet",
            "partitions": REGION_YEAR_MONTH,
            "columns": {
                "meter": "Utf8",
                "credit_code": "Utf8: the meter's enterprise (denormalised)",
                "ts": "Int64: interval start, UTC epoch seconds",
                "wh": "Int64: energy of the interval, exact whole Wh",
                "kind": "Utf8: the meter's kind (denormalised)"
            }
        },
        "grid_hourly": {
            "path": "grid_hourly/region=R/year=YYYY/month=MM/part-0.parquet",
            "partitions": REGION_YEAR_MONTH,
            "columns": {
                "ts": "Int64: hour start, UTC epoch seconds",
                "tco2_per_mwh": "Float64: as imported",
                "ng_per_wh": "Int64: the same factor exactly, ngCO2/Wh (1e-9 tCO2/MWh, 9 decimals, half up)",
                "cfe_share": "Float64 0..=1, null when not given"
            }
        },
        "grid_annual": {
            "path": "grid_annual/region=R/year=YYYY/part-0.parquet",
            "partitions": REGION_YEAR,
            "columns": {
                "factor_id": "Utf8: catalog factor id (location-based, the fallback order of ARCHITECTURE.md)",
                "tco2_per_mwh": "Float64",
                "ng_per_wh": "Int64: exact, ngCO2/Wh",
                "note": "Utf8: which fallback was used, null when none",
                "year_start": "Int64: local year start, UTC epoch seconds",
                "year_end": "Int64: next local year start, UTC epoch seconds"
            }
        },
        "certificates": {
            "path": "certificates/region=R/year=YYYY/month=MM/part-0.parquet",
            "partitions": REGION_YEAR_MONTH,
            "partition_by": "the producing plant's region and the local month of production",
            "columns": {
                "bundle_id": "Int64: registry bundle id",
                "owner": "Utf8: account holder's credit code",
                "energy_wh": "Int64: exact Wh (one granular certificate per Wh)",
                "production_ts": "Int64: production hour start, UTC epoch seconds",
                "technology": "Utf8: solar, wind, ...",
                "status": "Utf8: active | cancelled | claimed | withdrawn",
                "consumer": "Utf8: credit code it was cancelled for, null unless cancelled or claimed",
                "consumption_ts": "Int64: consumption hour start it was cancelled for, null unless cancelled or claimed"
            }
        }
    })
}

//! What every plan over the lake needs: the query runtime, a session on the chosen engine
//! with the lake's tables registered, and the columns of a result read back as Rust values.

use crate::schema;
use crate::{Engine, LakeError};
use datafusion::arrow::array::{
    Array, ArrayRef, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use std::path::Path;

/// A SQL string literal.
pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, LakeError> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(crate::ENGINE_STACK_BYTES)
        .enable_all()
        .build()
        .map_err(|e| LakeError::Invalid(format!("starting the query runtime: {e}")))
}

pub(crate) async fn context(engine: &Engine) -> Result<SessionContext, LakeError> {
    match engine {
        Engine::DataFusion => Ok(SessionContext::new()),
        #[cfg(feature = "ballista")]
        Engine::Ballista(addr) => crate::ballista::remote(addr).await,
        #[cfg(not(feature = "ballista"))]
        Engine::Ballista(_) => Err(LakeError::Invalid(
            "this zeropark was built without Ballista: rebuild with `--features ballista`".into(),
        )),
        Engine::Native => Err(LakeError::Invalid(
            "the native engine reads the readings store, not the lake".into(),
        )),
    }
}

/// Checks that `lake` is a lake this version reads: its `manifest.json` exists, parses and
/// has `version` [`schema::LAKE_VERSION`].
fn check_manifest(lake: &Path) -> Result<(), LakeError> {
    let path = lake.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        LakeError::Invalid(format!(
            "{}: {e}: not a lake (write one with `zeropark lake export --out DIR`)",
            path.display()
        ))
    })?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| LakeError::Invalid(format!("{}: not JSON: {e}", path.display())))?;
    match manifest.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(schema::LAKE_VERSION) => Ok(()),
        v => Err(LakeError::Invalid(format!(
            "{}: field version is {}, this zeropark reads lake version {}: write the lake \
             again with `zeropark lake export --out DIR`",
            path.display(),
            v.map_or("missing".to_string(), |v| v.to_string()),
            schema::LAKE_VERSION
        ))),
    }
}

/// The schema of a lake table in DataFusion's Arrow (which may be another version than the
/// exporter's).
fn engine_schema(columns: &[schema::Column]) -> SchemaRef {
    let field = |col: &schema::Column| {
        let ty = match col.ty {
            schema::ColumnType::Utf8 => DataType::Utf8,
            schema::ColumnType::Int64 => DataType::Int64,
            schema::ColumnType::Float64 => DataType::Float64,
        };
        Field::new(col.name, ty, col.nullable)
    };
    std::sync::Arc::new(Schema::new(columns.iter().map(field).collect::<Vec<_>>()))
}

/// Registers the lake's tables under their names (absolute paths: Ballista's executors
/// resolve them on their own filesystem).
pub(crate) async fn register(ctx: &SessionContext, lake: &Path) -> Result<(), LakeError> {
    check_manifest(lake)?;
    let lake = lake.canonicalize().map_err(|e| LakeError::io(lake, e))?;
    // Each table, its columns and its Hive partition columns (added back as Utf8).
    let tables: [(&str, &[schema::Column], &[&str]); 6] = [
        ("orgs", schema::ORGS, &[]),
        ("meters", schema::METERS, &[]),
        ("readings", schema::READINGS, &schema::REGION_YEAR_MONTH),
        (
            "grid_hourly",
            schema::GRID_HOURLY,
            &schema::REGION_YEAR_MONTH,
        ),
        ("grid_annual", schema::GRID_ANNUAL, &schema::REGION_YEAR),
        (
            "certificates",
            schema::CERTIFICATES,
            &schema::REGION_YEAR_MONTH,
        ),
    ];
    for (name, columns, parts) in tables {
        let dir = lake.join(name);
        if !dir.is_dir() {
            return Err(LakeError::Invalid(format!(
                "{}: table {name} is missing from the lake",
                dir.display()
            )));
        }
        let url = format!("{}/", dir.display());
        let file_schema = engine_schema(columns);
        let parts = parts
            .iter()
            .map(|c| (c.to_string(), DataType::Utf8))
            .collect();
        let opts = ParquetReadOptions::default()
            .schema(&file_schema)
            .table_partition_cols(parts);
        ctx.register_parquet(name, url, opts).await?;
    }
    Ok(())
}

fn column(b: &RecordBatch, name: &str, t: &DataType) -> Result<ArrayRef, LakeError> {
    let c = b
        .column_by_name(name)
        .ok_or_else(|| LakeError::Invalid(format!("result has no column {name}")))?;
    Ok(cast(c, t).map_err(datafusion::error::DataFusionError::from)?)
}

pub(crate) fn strs(b: &RecordBatch, name: &str) -> Result<Vec<String>, LakeError> {
    let c = column(b, name, &DataType::Utf8)?;
    let a = c
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("cast to Utf8");
    Ok((0..a.len())
        .map(|i| {
            if a.is_null(i) {
                String::new()
            } else {
                a.value(i).to_string()
            }
        })
        .collect())
}

pub(crate) fn i64s(b: &RecordBatch, name: &str) -> Result<Vec<i64>, LakeError> {
    let c = column(b, name, &DataType::Int64)?;
    let a = c
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("cast to Int64");
    Ok((0..a.len())
        .map(|i| if a.is_null(i) { 0 } else { a.value(i) })
        .collect())
}

pub(crate) fn i128s(b: &RecordBatch, name: &str) -> Result<Vec<i128>, LakeError> {
    let c = column(b, name, &DataType::Decimal128(38, 0))?;
    let a = c
        .as_any()
        .downcast_ref::<Decimal128Array>()
        .expect("cast to Decimal128");
    Ok((0..a.len())
        .map(|i| if a.is_null(i) { 0 } else { a.value(i) })
        .collect())
}

/// A nullable Float64 column: `None` where null.
pub(crate) fn f64s(b: &RecordBatch, name: &str) -> Result<Vec<Option<f64>>, LakeError> {
    let c = column(b, name, &DataType::Float64)?;
    let a = c
        .as_any()
        .downcast_ref::<Float64Array>()
        .expect("cast to Float64");
    Ok((0..a.len())
        .map(|i| (!a.is_null(i)).then(|| a.value(i)))
        .collect())
}

pub(crate) async fn collect(
    ctx: &SessionContext,
    sql: &str,
) -> Result<Vec<RecordBatch>, LakeError> {
    Ok(ctx.sql(sql).await?.collect().await?)
}

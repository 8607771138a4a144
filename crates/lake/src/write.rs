//! Writing one Parquet file of the lake atomically: a hidden temporary file renamed over
//! `part-0.parquet`, then every other `part-*` file of the directory removed, so a
//! re-export replaces a partition whole and readers never see half a file.

use crate::LakeError;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs;
use std::path::Path;

/// Rows per row group: about 1 M rows keeps row groups near 5-10 MB for readings.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Writes `batch` as `dir/part-0.parquet`, replacing the partition; returns the file size.
pub fn replace_partition(
    dir: &Path,
    schema: SchemaRef,
    batch: &RecordBatch,
) -> Result<u64, LakeError> {
    fs::create_dir_all(dir).map_err(|e| LakeError::io(dir, e))?;
    let tmp = dir.join(".part-0.parquet.tmp");
    let file = fs::File::create(&tmp).map_err(|e| LakeError::io(&tmp, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .build();
    let mut w = ArrowWriter::try_new(file, schema, Some(props))?;
    w.write(batch)?;
    w.close()?;
    let target = dir.join("part-0.parquet");
    fs::rename(&tmp, &target).map_err(|e| LakeError::io(&target, e))?;
    for e in fs::read_dir(dir)
        .map_err(|e| LakeError::io(dir, e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("part-") && name != "part-0.parquet" {
            fs::remove_file(e.path()).map_err(|err| LakeError::io(e.path(), err))?;
        }
    }
    Ok(fs::metadata(&target)
        .map_err(|e| LakeError::io(&target, e))?
        .len())
}

/// Removes a partition that no longer has rows (a re-export after data was removed).
pub fn remove_partition(dir: &Path) -> Result<(), LakeError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LakeError::io(dir, e)),
    }
}

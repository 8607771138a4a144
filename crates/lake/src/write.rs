//! Writing the lake's Parquet files: a partition is written as `part-0.parquet`,
//! `part-1.parquet`, ... of at most [`FILE_ROWS`] rows each (about 1 GB of readings), each
//! first to a hidden temporary file, then renamed into place, then every other `part-*`
//! file of the directory removed: a re-export replaces a partition whole, readers never see
//! half a file, and a province-month of a million meters becomes files that a cluster scans
//! in parallel. Rows arrive in batches, so an export holds one batch in memory, not a
//! partition.

use crate::LakeError;
use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs;
use std::path::{Path, PathBuf};

/// Rows per row group: about 1 M rows keeps row groups near 5-10 MB for readings.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// Rows per file: 128 row groups, about 1 GB of readings (7-8 bytes a reading compressed,
/// `docs/scale.md`).
pub const FILE_ROWS: usize = 128 * ROW_GROUP_ROWS;

/// A partition being written: batches in, files of at most `file_rows` rows out.
pub struct PartitionWriter {
    dir: PathBuf,
    schema: SchemaRef,
    file_rows: usize,
    /// The file being written, its temporary path and its rows so far.
    open: Option<(ArrowWriter<fs::File>, PathBuf, usize)>,
    /// Temporary files finished, in order.
    done: Vec<PathBuf>,
    rows: u64,
}

impl PartitionWriter {
    /// Starts writing the partition `dir` (created if missing).
    pub fn new(dir: &Path, schema: SchemaRef, file_rows: usize) -> Result<Self, LakeError> {
        fs::create_dir_all(dir).map_err(|e| LakeError::io(dir, e))?;
        Ok(PartitionWriter {
            dir: dir.to_path_buf(),
            schema,
            file_rows: file_rows.max(1),
            open: None,
            done: Vec::new(),
            rows: 0,
        })
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Files written so far, the one being written included.
    pub fn files(&self) -> usize {
        self.done.len() + usize::from(self.open.is_some())
    }

    /// Appends `batch`, starting a new file whenever the current one is full.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), LakeError> {
        let mut at = 0;
        while at < batch.num_rows() {
            let (w, _, rows) = match &mut self.open {
                Some(open) => open,
                None => {
                    let tmp = self
                        .dir
                        .join(format!(".part-{}.parquet.tmp", self.done.len()));
                    let file = fs::File::create(&tmp).map_err(|e| LakeError::io(&tmp, e))?;
                    let props = WriterProperties::builder()
                        .set_compression(Compression::SNAPPY)
                        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                        .build();
                    let w = ArrowWriter::try_new(file, self.schema.clone(), Some(props))?;
                    self.open.insert((w, tmp, 0))
                }
            };
            let n = (self.file_rows - *rows).min(batch.num_rows() - at);
            w.write(&batch.slice(at, n))?;
            *rows += n;
            at += n;
            self.rows += n as u64;
            if *rows == self.file_rows {
                self.close_file()?;
            }
        }
        Ok(())
    }

    fn close_file(&mut self) -> Result<(), LakeError> {
        if let Some((w, tmp, _)) = self.open.take() {
            w.close()?;
            self.done.push(tmp);
        }
        Ok(())
    }

    /// Renames the new files into place and removes the partition's other `part-*` files;
    /// returns the bytes written. A partition that received no row is removed.
    pub fn finish(mut self) -> Result<u64, LakeError> {
        self.close_file()?;
        if self.rows == 0 {
            remove_partition(&self.dir)?;
            return Ok(0);
        }
        let mut bytes = 0;
        let mut names = Vec::new();
        for (i, tmp) in self.done.iter().enumerate() {
            let name = format!("part-{i}.parquet");
            let target = self.dir.join(&name);
            fs::rename(tmp, &target).map_err(|e| LakeError::io(&target, e))?;
            bytes += fs::metadata(&target)
                .map_err(|e| LakeError::io(&target, e))?
                .len();
            names.push(name);
        }
        for e in fs::read_dir(&self.dir)
            .map_err(|e| LakeError::io(&self.dir, e))?
            .flatten()
        {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("part-") && !names.contains(&name) {
                fs::remove_file(e.path()).map_err(|err| LakeError::io(e.path(), err))?;
            }
        }
        Ok(bytes)
    }
}

/// Writes `batch` as the whole partition `dir`; returns the bytes written.
pub fn replace_partition(
    dir: &Path,
    schema: SchemaRef,
    batch: &RecordBatch,
) -> Result<u64, LakeError> {
    let mut w = PartitionWriter::new(dir, schema, FILE_ROWS)?;
    w.write(batch)?;
    w.finish()
}

/// Removes a partition that no longer has rows (a re-export after data was removed).
pub fn remove_partition(dir: &Path) -> Result<(), LakeError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(LakeError::io(dir, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    fn batch(schema: &SchemaRef, from: i64, n: i64) -> RecordBatch {
        let col = Int64Array::from((from..from + n).collect::<Vec<_>>());
        RecordBatch::try_new(schema.clone(), vec![Arc::new(col)]).unwrap()
    }

    /// The values of every `part-*` file of `dir`, file by file in name order.
    fn read(dir: &Path) -> Vec<(String, Vec<i64>)> {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let f = fs::File::open(e.path()).unwrap();
            let mut values = Vec::new();
            for b in ParquetRecordBatchReaderBuilder::try_new(f)
                .unwrap()
                .build()
                .unwrap()
            {
                let b = b.unwrap();
                let a = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
                values.extend(a.values().iter().copied());
            }
            out.push((name, values));
        }
        out.sort();
        out
    }

    #[test]
    fn a_partition_is_split_into_files_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join("region=CQ");
        let schema: SchemaRef =
            Arc::new(Schema::new(vec![Field::new("v", DataType::Int64, false)]));
        // 25 rows in batches of 7, files of 10: 10 + 10 + 5, in order, no row lost.
        let mut w = PartitionWriter::new(&part, schema.clone(), 10).unwrap();
        for from in [0, 7, 14, 21] {
            w.write(&batch(&schema, from, (25 - from).min(7))).unwrap();
        }
        assert_eq!((w.rows(), w.files()), (25, 3));
        assert!(w.finish().unwrap() > 0);
        let files = read(&part);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
        );
        let lens: Vec<usize> = files.iter().map(|(_, v)| v.len()).collect();
        assert_eq!(lens, [10, 10, 5]);
        let all: Vec<i64> = files.iter().flat_map(|(_, v)| v.clone()).collect();
        assert_eq!(all, (0..25).collect::<Vec<_>>());
        // Written again with fewer rows: one file, the stale ones gone, no temporary left.
        replace_partition(&part, schema.clone(), &batch(&schema, 100, 4)).unwrap();
        assert_eq!(
            read(&part),
            [("part-0.parquet".to_string(), vec![100, 101, 102, 103])]
        );
        // A partition that receives nothing is removed.
        PartitionWriter::new(&part, schema, 10)
            .unwrap()
            .finish()
            .unwrap();
        assert!(!part.exists());
    }
}

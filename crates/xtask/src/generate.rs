//! `xtask gen`: writes a synthetic park and the exact answers of the benchmark queries.
//!
//! Meters are generated in parallel (each has its own random stream) and written in meter
//! order by one writer, so memory stays constant whatever the scale. While writing, the
//! exact answers of Q1 and Q2 are accumulated in integers (Wh, ngCO2) straight from the
//! generated values: they are the reference every engine is checked against.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use zp_readings::synth::{Dataset, MeterRole, READINGS_CSV_HEADER, SynthConfig};

/// Version of the generated directory's layout and of the generator's model; bump it when
/// the same configuration would produce different data.
pub const DATA_FORMAT: &str = "zeropark-synth 1";

#[derive(clap::Args, Debug, Clone)]
pub struct GenArgs {
    /// Number of meters (consumption and PV generation together).
    #[arg(long, default_value_t = 200)]
    pub meters: usize,
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output directory (created).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// First local day, YYYY-MM-DD.
    #[arg(long, default_value = "2023-01-01")]
    pub start: String,
    /// Expected share of intervals missing per meter.
    #[arg(long, default_value_t = 0.002)]
    pub missing_share: f64,
    #[arg(long, default_value_t = 15)]
    pub interval_minutes: u32,
    /// Generator threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

impl GenArgs {
    pub fn config(&self) -> Result<SynthConfig> {
        let start: zp_domain::time::Date = self
            .start
            .parse()
            .with_context(|| format!("--start {:?} is not a date YYYY-MM-DD", self.start))?;
        Ok(SynthConfig {
            seed: self.seed,
            meters: self.meters,
            start,
            days: self.days,
            interval_minutes: self.interval_minutes,
            missing_share: self.missing_share,
        })
    }

    /// The part of the manifest that identifies the data (same key, same bytes).
    pub fn key(&self) -> Value {
        json!({
            "format": DATA_FORMAT,
            "seed": self.seed,
            "meters": self.meters,
            "days": self.days,
            "start": self.start,
            "interval_minutes": self.interval_minutes,
            "missing_share": self.missing_share,
            "readings_format": match self.format { Format::Csv => "csv", Format::Parquet => "parquet" },
        })
    }
}

/// What one worker produces for one meter.
struct MeterOut {
    csv: Vec<u8>,
    ts: Vec<i64>,
    wh: Vec<u64>,
    rows: u64,
    total_wh: u64,
    /// Per month of the data: energy (Wh) and emissions (ngCO2) at the hourly factors.
    months: Vec<(u64, u128)>,
    /// Energy per hour of the data (Wh).
    hourly: Vec<u64>,
}

/// Exact answers, accumulated in meter order.
struct Expected {
    q1: BufWriter<File>,
    q2: BufWriter<File>,
    q1_rows: u64,
    q1_emissions_ng: u128,
    /// The current enterprise and its hourly consumption and generation.
    enterprise: Option<usize>,
    cons: Vec<u64>,
    generation: Vec<u64>,
    q2_rows: u64,
    matched_wh: u64,
    import_wh: u64,
    consumption_wh: u64,
    generation_wh: u64,
}

pub fn kwh_text(wh: u64) -> String {
    format!("{}.{:03}", wh / 1000, wh % 1000)
}

pub fn tco2_text(ng: u128) -> String {
    const PER_T: u128 = 1_000_000_000_000_000;
    format!("{}.{:015}", ng / PER_T, ng % PER_T)
}

impl Expected {
    fn finish_enterprise(&mut self, ds: &Dataset) -> Result<()> {
        let Some(e) = self.enterprise.take() else {
            return Ok(());
        };
        let (mut c_sum, mut g_sum, mut m_sum, mut i_sum) = (0u64, 0u64, 0u64, 0u64);
        for (c, g) in self.cons.iter().zip(&self.generation) {
            c_sum += c;
            g_sum += g;
            m_sum += c.min(g);
            i_sum += c.saturating_sub(*g);
        }
        writeln!(
            self.q2,
            "{},{},{},{},{}",
            ds.enterprises()[e].code,
            kwh_text(c_sum),
            kwh_text(g_sum),
            kwh_text(m_sum),
            kwh_text(i_sum)
        )?;
        self.q2_rows += 1;
        self.matched_wh += m_sum;
        self.import_wh += i_sum;
        self.consumption_wh += c_sum;
        self.generation_wh += g_sum;
        self.cons.fill(0);
        self.generation.fill(0);
        Ok(())
    }
}

/// Generates the park into `args.out`; returns the manifest (also written as manifest.json).
pub fn run(args: &GenArgs) -> Result<Value> {
    let t0 = Instant::now();
    let ds = Dataset::new(args.config()?)?;
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let create = |name: &str| -> Result<BufWriter<File>> {
        let p = out.join(name);
        Ok(BufWriter::with_capacity(
            1 << 20,
            File::create(&p).with_context(|| format!("creating {}", p.display()))?,
        ))
    };
    ds.write_orgs_csv(create("orgs.csv")?)?;
    ds.write_meters_csv(create("meters.csv")?)?;
    let mut grid_csv = Vec::new();
    ds.write_grid_hourly_csv(&mut grid_csv)?;
    create("grid_hourly.csv")?.write_all(&grid_csv)?;

    // Hourly factors as the engines read them (parsed back from the CSV text), per region.
    let start_ts = ds.interval_start(0);
    let hours = args.days as usize * 24;
    let mut factors: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for line in std::str::from_utf8(&grid_csv)?.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let ts = zp_domain::time::parse_timestamp(f[1])?;
        let ng = zp_readings::factor_ng_per_wh(f[2]).context("generated factor")?;
        factors
            .entry(f[0].to_string())
            .or_insert_with(|| vec![0; hours])[((ts - start_ts) / 3600) as usize] = ng;
    }
    let meter_factors: Vec<Option<&Vec<u64>>> = ds
        .meters()
        .iter()
        .map(|m| {
            (m.role == MeterRole::Consumption)
                .then(|| &factors[ds.enterprises()[m.enterprise].region.code()])
        })
        .collect();
    // Local month of every day, and its label.
    let mut month_of_day = Vec::with_capacity(args.days as usize);
    let mut month_labels: Vec<String> = Vec::new();
    for d in 0..args.days as i64 {
        let date = zp_domain::time::local(start_ts + d * 86_400).date();
        let label = format!("{:04}-{:02}", date.year(), date.month());
        if month_labels.last() != Some(&label) {
            month_labels.push(label);
        }
        month_of_day.push(month_labels.len() - 1);
    }

    let make = |m: usize| -> MeterOut {
        let mut o = MeterOut {
            csv: Vec::new(),
            ts: Vec::new(),
            wh: Vec::new(),
            rows: 0,
            total_wh: 0,
            months: vec![(0, 0); month_labels.len()],
            hourly: vec![0; hours],
        };
        match args.format {
            Format::Csv => {
                o.csv.reserve(ds.intervals() * 42);
                ds.write_meter_readings_csv(m, &mut o.csv)
                    .expect("writing to memory");
            }
            Format::Parquet => {}
        }
        let f = meter_factors[m];
        for r in ds.meter_readings(m) {
            let h = ((r.ts - start_ts) / 3600) as usize;
            o.hourly[h] += r.wh;
            o.rows += 1;
            o.total_wh += r.wh;
            if let Some(f) = f {
                let month = &mut o.months[month_of_day[h / 24]];
                month.0 += r.wh;
                month.1 += u128::from(r.wh) * u128::from(f[h]);
            }
            if args.format == Format::Parquet {
                o.ts.push(r.ts);
                o.wh.push(r.wh);
            }
        }
        o
    };

    let readings_name = match args.format {
        Format::Csv => "readings.csv",
        Format::Parquet => "readings.parquet",
    };
    let mut sink = match args.format {
        Format::Csv => {
            let mut w = create(readings_name)?;
            w.write_all(READINGS_CSV_HEADER.as_bytes())?;
            Sink::Csv(w)
        }
        Format::Parquet => Sink::Parquet(Box::new(ParquetReadings::new(
            File::create(out.join(readings_name))
                .with_context(|| format!("creating {readings_name}"))?,
        )?)),
    };
    let mut exp = Expected {
        q1: create("expected_q1.csv")?,
        q2: create("expected_q2.csv")?,
        q1_rows: 0,
        q1_emissions_ng: 0,
        enterprise: None,
        cons: vec![0; hours],
        generation: vec![0; hours],
        q2_rows: 0,
        matched_wh: 0,
        import_wh: 0,
        consumption_wh: 0,
        generation_wh: 0,
    };
    writeln!(exp.q1, "meter,month,consumption_kwh,emissions_tco2")?;
    writeln!(
        exp.q2,
        "credit_code,consumption_kwh,generation_kwh,matched_kwh,grid_import_kwh"
    )?;
    let (mut rows, mut total_wh) = (0u64, 0u64);
    let mut consume = |m: usize, o: MeterOut| -> Result<()> {
        match &mut sink {
            Sink::Csv(w) => w.write_all(&o.csv)?,
            Sink::Parquet(p) => p.write(&ds.meters()[m].id, &o.ts, &o.wh)?,
        }
        rows += o.rows;
        total_wh += o.total_wh;
        let spec = &ds.meters()[m];
        if exp.enterprise != Some(spec.enterprise) {
            exp.finish_enterprise(&ds)?;
            exp.enterprise = Some(spec.enterprise);
        }
        let target = match spec.role {
            MeterRole::Consumption => &mut exp.cons,
            MeterRole::Solar => &mut exp.generation,
        };
        for (t, h) in target.iter_mut().zip(&o.hourly) {
            *t += h;
        }
        if spec.role == MeterRole::Consumption {
            for (label, (wh, ng)) in month_labels.iter().zip(&o.months) {
                writeln!(
                    exp.q1,
                    "{},{label},{},{}",
                    spec.id,
                    kwh_text(*wh),
                    tco2_text(*ng)
                )?;
                exp.q1_rows += 1;
                exp.q1_emissions_ng += ng;
            }
        }
        Ok(())
    };

    let threads = args
        .threads
        .unwrap_or_else(zp_readings::par::threads)
        .max(1);
    let n = ds.meters().len();
    let next = AtomicUsize::new(0);
    let failed: Arc<std::sync::Mutex<Option<anyhow::Error>>> = Arc::default();
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<(usize, MeterOut)>(threads * 2);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, make) = (&next, &make);
            s.spawn(move || {
                loop {
                    let m = next.fetch_add(1, Ordering::Relaxed);
                    if m >= n || tx.send((m, make(m))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut want = 0;
        for (m, o) in rx {
            pending.insert(m, o);
            while let Some(o) = pending.remove(&want) {
                if let Err(e) = consume(want, o) {
                    *failed.lock().expect("lock") = Some(e);
                    return; // dropping rx stops the workers
                }
                want += 1;
            }
        }
    });
    if let Some(e) = failed.lock().expect("lock").take() {
        return Err(e);
    }
    exp.finish_enterprise(&ds)?;
    exp.q1.flush()?;
    exp.q2.flush()?;
    match sink {
        Sink::Csv(mut w) => w.flush()?,
        Sink::Parquet(p) => p.finish()?,
    }
    if exp.consumption_wh + exp.generation_wh != total_wh {
        bail!("internal: expected answers do not cover every reading");
    }
    let bytes = std::fs::metadata(out.join(readings_name))?.len();
    let solar = ds
        .meters()
        .iter()
        .filter(|m| m.role == MeterRole::Solar)
        .count();
    let manifest = json!({
        "data": args.key(),
        "enterprises": ds.enterprises().len(),
        "consumption_meters": n - solar,
        "generation_meters": solar,
        "readings": rows,
        "readings_file": readings_name,
        "readings_bytes": bytes,
        "expected": {
            "consumption_kwh": kwh_text(exp.consumption_wh),
            "generation_kwh": kwh_text(exp.generation_wh),
            "q1_rows": exp.q1_rows,
            "q1_emissions_tco2": tco2_text(exp.q1_emissions_ng),
            "q2_rows": exp.q2_rows,
            "q2_matched_kwh": kwh_text(exp.matched_wh),
            "q2_grid_import_kwh": kwh_text(exp.import_wh),
        },
        "generator_threads": threads,
        "generated_seconds": t0.elapsed().as_secs_f64(),
    });
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

/// Reads `manifest.json` of a generated directory, if any.
pub fn manifest(dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

enum Sink {
    Csv(BufWriter<File>),
    Parquet(Box<ParquetReadings>),
}

/// Readings as Parquet with the schema `zeropark export readings` writes: `meter` UTF-8,
/// `ts` TIMESTAMP(SECOND, +08:00), `kwh` DECIMAL(18,3).
struct ParquetReadings {
    w: parquet::arrow::ArrowWriter<File>,
    schema: Arc<arrow::datatypes::Schema>,
}

impl ParquetReadings {
    fn new(file: File) -> Result<Self> {
        let schema = zp_readings::readings_schema();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build();
        let w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(props))?;
        Ok(ParquetReadings { w, schema })
    }

    fn write(&mut self, meter: &str, ts: &[i64], wh: &[u64]) -> Result<()> {
        use arrow::array::{Decimal128Array, StringArray, TimestampSecondArray};
        let batch = arrow::record_batch::RecordBatch::try_new(
            self.schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![meter; ts.len()])),
                Arc::new(TimestampSecondArray::from(ts.to_vec()).with_timezone("+08:00")),
                Arc::new(
                    Decimal128Array::from(wh.iter().map(|&w| i128::from(w)).collect::<Vec<_>>())
                        .with_precision_and_scale(18, 3)?,
                ),
            ],
        )?;
        self.w.write(&batch)?;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        self.w.close()?;
        Ok(())
    }
}

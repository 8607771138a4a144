//! Synthetic interval data for tests and benchmarks (合成数据): enterprises with several
//! meters, industrial load shapes, rooftop PV following the sun, hourly grid factors.
//!
//! Long because: one generator (shapes, PV, factors, writers) kept in one file so the
//! bytes it yields stay reproducible from one place.
//!
//! Everything is a pure function of [`SynthConfig`] (the seed included): the same
//! configuration always yields the same bytes. Nothing here does I/O except writing into a
//! [`Write`] the caller passes in, and nothing spawns threads; a caller that wants to
//! generate in parallel asks for meters independently ([`Dataset::meter_readings`],
//! [`Dataset::write_meter_readings_csv`]) since every meter has its own random stream.
//!
//! What the data looks like:
//! - **Enterprises** in Chongqing (CQ, 75%) and Sichuan (SC) parks, with valid GB 32100
//!   credit codes, a GB/T 4754 industry and an operating pattern: one shift (08-17 on
//!   workdays), two shifts (06-22), three shifts (continuous, shutting down over the Spring
//!   Festival), data centres (flat, cooling-driven), offices and cold stores. Workdays,
//!   weekends, China's public holidays and make-up workdays (the shared calendar) are honoured.
//! - **Consumption meters**: 1-4 per enterprise sharing its shape, plus a seasonal cooling
//!   load driven by a temperature model of the Sichuan basin, a per-enterprise daily
//!   production level, autocorrelated and white noise.
//! - **PV generation meters** on about 40% of enterprises: a clear-sky model (solar
//!   position, Haurwitz irradiance, 25 deg south-facing plane) at the region's latitude
//!   (Chongqing 29.56 N), times a daily cloudiness drawn around Chongqing's monthly means
//!   (about 37% of the clear-sky yield, as in the reference profile) with intra-day cloud
//!   noise on broken-cloud days. Exactly zero at night.
//! - **Missing intervals**: runs of 15 minutes to 2 hours dropped at random so that, in
//!   expectation, the requested share of intervals is missing.
//! - **Hourly grid factors** per region: a fossil share that falls in the wet (hydro)
//!   season and at midday and rises in the evening peak; `tco2_per_mwh` is that share
//!   times a thermal factor and `cfe_share` its complement.
//!
//! Energy is whole watt-hours, so CSV values have exactly three decimals in kWh and sums
//! over the generated data are exact.

use std::f64::consts::PI;
use std::io::{self, Write};

use jiff::civil::{Date, Weekday};
use zp_domain::time::{format_local, local, local_day_start};
use zp_domain::{CreditCode, Region};

/// What to generate. `Default` is one year (2023) of 15-minute data for 200 meters.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    pub seed: u64,
    /// Number of meters (consumption and generation together).
    pub meters: usize,
    /// First local (Asia/Shanghai) day.
    pub start: Date,
    pub days: u32,
    /// 5, 15, 30 or 60.
    pub interval_minutes: u32,
    /// Expected share of intervals missing from each meter, 0 <= share < 0.5.
    pub missing_share: f64,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 1,
            meters: 200,
            start: jiff::civil::date(2023, 1, 1),
            days: 365,
            interval_minutes: 15,
            missing_share: 0.002,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    #[error("interval must be 5, 15, 30 or 60 minutes, got {0}")]
    Interval(u32),
    #[error("meters must be between 1 and 999999, got {0}")]
    Meters(usize),
    #[error("days must be between 1 and 3660, got {0}")]
    Days(u32),
    #[error("missing share must be in 0..0.5, got {0}")]
    MissingShare(f64),
}

/// How an enterprise uses electricity over the day and the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadShape {
    /// One day shift, 08:00-17:00 on workdays.
    OneShift,
    /// Two shifts, 06:00-22:00 on workdays, a morning shift on Saturdays.
    TwoShift,
    /// Continuous production; lower on holidays (Spring Festival shutdown).
    ThreeShift,
    /// Flat IT load plus cooling.
    DataCentre,
    /// Office hours and strong cooling in summer.
    Office,
    /// Refrigeration: flat, strongly temperature-driven.
    ColdStore,
}

impl LoadShape {
    pub fn name(self) -> &'static str {
        match self {
            LoadShape::OneShift => "one_shift",
            LoadShape::TwoShift => "two_shift",
            LoadShape::ThreeShift => "three_shift",
            LoadShape::DataCentre => "data_centre",
            LoadShape::Office => "office",
            LoadShape::ColdStore => "cold_store",
        }
    }

    /// Relative load at a local hour of day (0..24) on a day type, before cooling and noise.
    pub fn level(self, hour: f64, day: DayType) -> f64 {
        let within = |a: f64, b: f64| hour >= a && hour < b;
        match self {
            LoadShape::OneShift => match day {
                DayType::Workday => {
                    if within(12.0, 13.0) {
                        0.75
                    } else if within(8.0, 17.0) {
                        1.0
                    } else if within(7.0, 8.0) || within(17.0, 18.0) {
                        0.5
                    } else {
                        0.18
                    }
                }
                DayType::Saturday => {
                    if within(8.0, 12.0) {
                        0.45
                    } else {
                        0.16
                    }
                }
                DayType::Sunday | DayType::Holiday => 0.15,
            },
            LoadShape::TwoShift => {
                let shift_change = within(13.75, 14.25);
                match day {
                    DayType::Workday if within(6.0, 22.0) => {
                        if shift_change {
                            0.85
                        } else {
                            1.0
                        }
                    }
                    DayType::Saturday if within(6.0, 14.0) => 0.8,
                    DayType::Workday | DayType::Saturday => 0.25,
                    DayType::Sunday | DayType::Holiday => 0.2,
                }
            }
            LoadShape::ThreeShift => {
                let change = within(5.75, 6.25) || within(13.75, 14.25) || within(21.75, 22.25);
                let base = match day {
                    DayType::Workday => 0.97,
                    DayType::Saturday => 0.9,
                    DayType::Sunday => 0.85,
                    DayType::Holiday => 0.55,
                };
                if change { base * 0.85 } else { base }
            }
            LoadShape::DataCentre => 1.0,
            LoadShape::Office => match day {
                DayType::Workday if within(8.0, 18.0) => 1.0,
                DayType::Workday if within(7.0, 8.0) || within(18.0, 20.0) => 0.6,
                _ => 0.3,
            },
            LoadShape::ColdStore => {
                if within(10.0, 18.0) {
                    1.05
                } else {
                    0.95
                }
            }
        }
    }

    /// Rough annual mean of [`level`](Self::level), used to size meters to an annual energy.
    fn mean_level(self) -> f64 {
        match self {
            LoadShape::OneShift => 0.42,
            LoadShape::TwoShift => 0.6,
            LoadShape::ThreeShift => 0.93,
            LoadShape::DataCentre => 1.0,
            LoadShape::Office => 0.5,
            LoadShape::ColdStore => 1.0,
        }
    }

    /// Cooling load per degree above 22 °C, relative to the shape's level 1.
    fn cooling_per_degree(self) -> f64 {
        match self {
            LoadShape::DataCentre => 0.025,
            LoadShape::Office => 0.06,
            LoadShape::ColdStore => 0.04,
            _ => 0.02,
        }
    }

    /// Whether cooling runs only while the shape is occupied (level above its base).
    fn cooling_follows_occupancy(self) -> bool {
        matches!(
            self,
            LoadShape::OneShift | LoadShape::TwoShift | LoadShape::Office
        )
    }

    fn industry(self, pick: u64) -> &'static str {
        let list: &[&str] = match self {
            // auto parts, electronic components, machinery
            LoadShape::OneShift => &["3670", "3489", "3311", "2319"],
            // vehicles, motorcycles, plastics, pharmaceuticals
            LoadShape::TwoShift => &["3612", "3751", "2929", "2710"],
            // glass, chemicals, paper, cement products
            LoadShape::ThreeShift => &["3041", "2614", "2221", "3021"],
            LoadShape::DataCentre => &["6450"],
            LoadShape::Office => &["7212", "6513"],
            LoadShape::ColdStore => &["5960"],
        };
        list[(pick % list.len() as u64) as usize]
    }
}

/// Calendar class of a local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayType {
    Workday,
    Saturday,
    Sunday,
    /// A public holiday (法定节假日).
    Holiday,
}

/// The calendar class of a date from the product's one working-day calendar
/// (`zp_domain::Calendar::china()`, the State Council's notices as data): its holidays and
/// make-up workdays where the calendar covers the year, else by weekday.
pub fn day_type(date: Date) -> DayType {
    use zp_domain::calendar::DayKind;
    match zp_domain::Calendar::china().special(date).map(|d| d.kind) {
        Some(DayKind::Holiday) => return DayType::Holiday,
        Some(DayKind::Workday) => return DayType::Workday,
        None => {}
    }
    match date.weekday() {
        Weekday::Saturday => DayType::Saturday,
        Weekday::Sunday => DayType::Sunday,
        _ => DayType::Workday,
    }
}

/// A place the generator knows the sun and climate of.
#[derive(Debug, Clone, Copy)]
struct Site {
    region: &'static str,
    division: &'static str,
    park_prefix: &'static str,
    lat_deg: f64,
    lon_deg: f64,
    /// Mean daily clearness (actual / clear-sky PV yield) by month.
    clearness_by_month: [f64; 12],
    /// Annual mean fossil share of the grid mix and its wet-season dip.
    fossil_share: f64,
    wet_season_dip: f64,
}

const SITES: [Site; 2] = [
    Site {
        region: "CQ",
        division: "500112",
        park_prefix: "渝北合成园区",
        lat_deg: 29.56,
        lon_deg: 106.55,
        clearness_by_month: [
            0.2, 0.24, 0.3, 0.34, 0.36, 0.36, 0.5, 0.52, 0.38, 0.27, 0.22, 0.18,
        ],
        fossil_share: 0.68,
        wet_season_dip: 0.12,
    },
    Site {
        region: "SC",
        division: "510100",
        park_prefix: "成都合成园区",
        lat_deg: 30.67,
        lon_deg: 104.06,
        clearness_by_month: [
            0.24, 0.26, 0.32, 0.36, 0.38, 0.36, 0.42, 0.46, 0.34, 0.26, 0.24, 0.22,
        ],
        fossil_share: 0.18,
        wet_season_dip: 0.1,
    },
];

/// tCO2 per MWh of the thermal (coal) part of the mix.
const THERMAL_TCO2_PER_MWH: f64 = 0.86;
/// Enterprises per synthetic park.
const PARK_SIZE: usize = 120;
/// PV system losses (inverter, temperature, soiling, wiring), a performance ratio.
const PV_PERFORMANCE_RATIO: f64 = 0.84;
/// Mean length, in intervals, of a run of missing readings.
const MEAN_GAP_INTERVALS: f64 = 4.0;

/// An enterprise of the synthetic park.
#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub code: CreditCode,
    pub name: String,
    pub region: Region,
    pub park: String,
    pub industry: &'static str,
    pub shape: LoadShape,
    /// Approximate annual consumption in kWh (sum of its consumption meters over a year).
    pub annual_kwh: f64,
    site: usize,
}

/// Consumption or generation meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeterRole {
    Consumption,
    /// Rooftop solar.
    Solar,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MeterSpec {
    pub id: String,
    /// Index into [`Dataset::enterprises`].
    pub enterprise: usize,
    pub role: MeterRole,
    /// Mean load in kW at shape level 1 (consumption) or peak capacity in kWp (solar).
    pub scale_kw: f64,
    cooling_scale: f64,
    noise_sigma: f64,
}

impl MeterSpec {
    /// `kind` column of meters.csv.
    pub fn kind(&self) -> &'static str {
        match self.role {
            MeterRole::Consumption => "consumption",
            MeterRole::Solar => "generation",
        }
    }

    /// `source` column of meters.csv (empty for consumption).
    pub fn source(&self) -> &'static str {
        match self.role {
            MeterRole::Consumption => "",
            MeterRole::Solar => "solar",
        }
    }
}

/// One interval reading: interval start in epoch seconds, energy in Wh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub ts: i64,
    pub wh: u64,
}

/// One hourly grid factor row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridHour {
    pub region: Region,
    pub ts: i64,
    pub tco2_per_mwh: f64,
    pub cfe_share: f64,
}

/// Per-region series shared by all meters of the region.
#[derive(Debug, Clone)]
struct Climate {
    /// Air temperature in °C per interval.
    temperature_c: Vec<f32>,
    /// Clear-sky plane-of-array energy in kWh per kWp per interval.
    clear_kwh_per_kwp: Vec<f32>,
    /// Daily clearness (0..1) per day and cloud variability (0..1) per day.
    clearness: Vec<f32>,
    variability: Vec<f32>,
}

/// A generated park: enterprises, meters and the climate they live in.
#[derive(Debug, Clone)]
pub struct Dataset {
    config: SynthConfig,
    start_ts: i64,
    intervals_per_day: usize,
    day_types: Vec<DayType>,
    enterprises: Vec<Enterprise>,
    meters: Vec<MeterSpec>,
    climates: Vec<Climate>,
    /// `ts` text of every interval, fixed width.
    ts_text: Vec<u8>,
}

const TS_WIDTH: usize = 25; // 2023-01-01T00:00:00+08:00

/// The header of a readings CSV.
pub const READINGS_CSV_HEADER: &str = "meter,ts,kwh\n";

impl Dataset {
    pub fn new(config: SynthConfig) -> Result<Dataset, SynthError> {
        if ![5, 15, 30, 60].contains(&config.interval_minutes) {
            return Err(SynthError::Interval(config.interval_minutes));
        }
        if config.meters == 0 || config.meters > 999_999 {
            return Err(SynthError::Meters(config.meters));
        }
        if config.days == 0 || config.days > 3660 {
            return Err(SynthError::Days(config.days));
        }
        if !(0.0..0.5).contains(&config.missing_share) {
            return Err(SynthError::MissingShare(config.missing_share));
        }
        let start_ts = local_day_start(config.start);
        let intervals_per_day = (24 * 60 / config.interval_minutes) as usize;
        let intervals = intervals_per_day * config.days as usize;
        let step = i64::from(config.interval_minutes) * 60;

        let mut day_types = Vec::with_capacity(config.days as usize);
        for d in 0..config.days as i64 {
            day_types.push(day_type(local(start_ts + d * 86_400).date()));
        }
        let mut ts_text = Vec::with_capacity(intervals * TS_WIDTH);
        for i in 0..intervals as i64 {
            let s = format_local(start_ts + i * step);
            debug_assert_eq!(s.len(), TS_WIDTH);
            ts_text.extend_from_slice(s.as_bytes());
        }
        let climates = SITES
            .iter()
            .enumerate()
            .map(|(k, site)| climate(&config, start_ts, intervals_per_day, site, k as u64))
            .collect();
        let (enterprises, meters) = population(&config);
        Ok(Dataset {
            config,
            start_ts,
            intervals_per_day,
            day_types,
            enterprises,
            meters,
            climates,
            ts_text,
        })
    }

    pub fn config(&self) -> &SynthConfig {
        &self.config
    }

    pub fn enterprises(&self) -> &[Enterprise] {
        &self.enterprises
    }

    pub fn meters(&self) -> &[MeterSpec] {
        &self.meters
    }

    /// Intervals per meter before any are dropped.
    pub fn intervals(&self) -> usize {
        self.intervals_per_day * self.config.days as usize
    }

    /// Epoch seconds of the start of interval `i`.
    pub fn interval_start(&self, i: usize) -> i64 {
        self.start_ts + i as i64 * i64::from(self.config.interval_minutes) * 60
    }

    /// The readings of one meter in time order, missing intervals left out.
    pub fn meter_readings(&self, meter: usize) -> MeterReadings<'_> {
        let spec = &self.meters[meter];
        let share = self.config.missing_share;
        MeterReadings {
            ds: self,
            spec,
            enterprise: &self.enterprises[spec.enterprise],
            climate: &self.climates[self.enterprises[spec.enterprise].site],
            rng: Rng::new(mix(self.config.seed, STREAM_METER, meter as u64)),
            i: 0,
            gap_left: 0,
            gap_start_p: share / (MEAN_GAP_INTERVALS * (1.0 - share)),
            ar_noise: 0.0,
            day: usize::MAX,
            day_level: 1.0,
            cloud: 1.0,
        }
    }

    /// Appends one meter's rows (`meter,ts,kwh`, no header) to `out`.
    pub fn write_meter_readings_csv(&self, meter: usize, out: &mut impl Write) -> io::Result<()> {
        let id = self.meters[meter].id.as_bytes();
        let step = i64::from(self.config.interval_minutes) * 60;
        let mut line = Vec::with_capacity(64);
        let mut buf = Vec::with_capacity(64 * 1024);
        for r in self.meter_readings(meter) {
            let i = ((r.ts - self.start_ts) / step) as usize;
            line.clear();
            line.extend_from_slice(id);
            line.push(b',');
            line.extend_from_slice(&self.ts_text[i * TS_WIDTH..(i + 1) * TS_WIDTH]);
            line.push(b',');
            push_kwh(&mut line, r.wh);
            line.push(b'\n');
            buf.extend_from_slice(&line);
            if buf.len() >= 60 * 1024 {
                out.write_all(&buf)?;
                buf.clear();
            }
        }
        out.write_all(&buf)
    }

    /// Writes the whole readings CSV, header first, meter by meter.
    pub fn write_readings_csv(&self, mut out: impl Write) -> io::Result<()> {
        out.write_all(READINGS_CSV_HEADER.as_bytes())?;
        for m in 0..self.meters.len() {
            self.write_meter_readings_csv(m, &mut out)?;
        }
        out.flush()
    }

    /// `credit_code,name,region,park,industry` (the `import orgs` layout) plus `shape`, kept
    /// as an attribute.
    pub fn write_orgs_csv(&self, mut out: impl Write) -> io::Result<()> {
        writeln!(out, "credit_code,name,region,park,industry,shape")?;
        for e in &self.enterprises {
            writeln!(
                out,
                "{},{},{},{},{},{}",
                e.code,
                e.name,
                e.region.code(),
                e.park,
                e.industry,
                e.shape.name()
            )?;
        }
        out.flush()
    }

    /// `meter,credit_code,kind,source` (the `import meters` layout).
    pub fn write_meters_csv(&self, mut out: impl Write) -> io::Result<()> {
        writeln!(out, "meter,credit_code,kind,source")?;
        for m in &self.meters {
            writeln!(
                out,
                "{},{},{},{}",
                m.id,
                self.enterprises[m.enterprise].code,
                m.kind(),
                m.source()
            )?;
        }
        out.flush()
    }

    /// Hourly grid factors of every region with enterprises, over the configured days.
    pub fn grid_hours(&self) -> Vec<GridHour> {
        let mut out = Vec::new();
        for (k, site) in SITES.iter().enumerate() {
            if !self.enterprises.iter().any(|e| e.site == k) {
                continue;
            }
            let region = Region::parse(site.region).expect("known region");
            let mut rng = Rng::new(mix(self.config.seed, STREAM_GRID, k as u64));
            let mut ar = 0.0;
            for h in 0..self.config.days as usize * 24 {
                let ts = self.start_ts + h as i64 * 3600;
                let doy = f64::from(local(ts).date().day_of_year());
                let hour = (h % 24) as f64;
                // Wet season (June-October): hydro displaces thermal.
                let wet = (2.0 * PI * (doy - 222.0) / 365.0).cos().max(0.0);
                // Midday solar lowers the fossil share, the evening peak raises it.
                let midday = (-((hour - 12.5) / 2.5).powi(2)).exp();
                let evening = (-((hour - 19.5) / 2.0).powi(2)).exp();
                ar = 0.9 * ar + 0.02 * rng.normal();
                let fossil = (site.fossil_share - site.wet_season_dip * wet - 0.05 * midday
                    + 0.04 * evening
                    + ar)
                    .clamp(0.02, 0.98);
                out.push(GridHour {
                    region,
                    ts,
                    tco2_per_mwh: round_to(fossil * THERMAL_TCO2_PER_MWH, 1e4),
                    cfe_share: round_to(1.0 - fossil, 1e4),
                });
            }
        }
        out
    }

    /// `region,ts,tco2_per_mwh,cfe_share` (the `import grid-hourly` layout).
    pub fn write_grid_hourly_csv(&self, mut out: impl Write) -> io::Result<()> {
        writeln!(out, "region,ts,tco2_per_mwh,cfe_share")?;
        for g in self.grid_hours() {
            writeln!(
                out,
                "{},{},{:.4},{:.4}",
                g.region.code(),
                format_local(g.ts),
                g.tco2_per_mwh,
                g.cfe_share
            )?;
        }
        out.flush()
    }
}

/// Iterator over one meter's readings; see [`Dataset::meter_readings`].
pub struct MeterReadings<'a> {
    ds: &'a Dataset,
    spec: &'a MeterSpec,
    enterprise: &'a Enterprise,
    climate: &'a Climate,
    rng: Rng,
    i: usize,
    gap_left: u32,
    gap_start_p: f64,
    ar_noise: f64,
    day: usize,
    day_level: f64,
    cloud: f64,
}

impl MeterReadings<'_> {
    fn value_kwh(&mut self, i: usize) -> f64 {
        let ds = self.ds;
        let per_day = ds.intervals_per_day;
        let day = i / per_day;
        if day != self.day {
            self.day = day;
            // The enterprise's production level of the day, shared by all its meters.
            let mut r = Rng::new(mix(
                ds.config.seed,
                STREAM_LEVEL ^ self.spec.enterprise as u64,
                day as u64,
            ));
            self.day_level = (1.0 + 0.07 * r.normal()).max(0.5);
        }
        let hours = f64::from(ds.config.interval_minutes) / 60.0;
        match self.spec.role {
            MeterRole::Consumption => {
                let hour = (i % per_day) as f64 * hours + hours / 2.0;
                let shape = self.enterprise.shape;
                let level = shape.level(hour, ds.day_types[day]);
                let t = f64::from(self.climate.temperature_c[i]);
                let occupied = if shape.cooling_follows_occupancy() {
                    level.min(1.0)
                } else {
                    1.0
                };
                let cooling = self.spec.cooling_scale
                    * shape.cooling_per_degree()
                    * (t - 22.0).max(0.0)
                    * occupied;
                self.ar_noise = 0.95 * self.ar_noise
                    + self.spec.noise_sigma * (1.0f64 - 0.95 * 0.95).sqrt() * self.rng.normal();
                let white = 1.0 + 0.5 * self.spec.noise_sigma * self.rng.normal();
                let kw = self.spec.scale_kw
                    * (level * self.day_level + cooling)
                    * (1.0 + self.ar_noise)
                    * white;
                kw.max(0.0) * hours
            }
            MeterRole::Solar => {
                let clear = f64::from(self.climate.clear_kwh_per_kwp[i]);
                if clear <= 0.0 {
                    // Keep the random stream aligned with daylight intervals only; night is 0.
                    return 0.0;
                }
                let k = f64::from(self.climate.clearness[day]);
                let v = f64::from(self.climate.variability[day]);
                // Broken clouds: an autocorrelated factor around the day's clearness.
                let target = (k + v * 0.8 * self.rng.normal()).clamp(0.03, 1.05);
                self.cloud = 0.6 * self.cloud + 0.4 * target;
                let local = 1.0 + 0.03 * self.rng.normal();
                self.spec.scale_kw * clear * self.cloud.clamp(0.02, 1.05) * local.max(0.0)
            }
        }
    }
}

impl Iterator for MeterReadings<'_> {
    type Item = Reading;

    fn next(&mut self) -> Option<Reading> {
        let n = self.ds.intervals();
        while self.i < n {
            let i = self.i;
            self.i += 1;
            let kwh = self.value_kwh(i);
            if self.gap_left > 0 {
                self.gap_left -= 1;
                continue;
            }
            if self.gap_start_p > 0.0 && self.rng.uniform() < self.gap_start_p {
                // Run lengths uniform on 1..=2*mean-1 intervals: mean MEAN_GAP_INTERVALS.
                let max = (2.0 * MEAN_GAP_INTERVALS) as u64 - 1;
                self.gap_left = (self.rng.next() % max) as u32;
                continue;
            }
            return Some(Reading {
                ts: self.ds.interval_start(i),
                wh: (kwh * 1000.0).round() as u64,
            });
        }
        None
    }
}

fn push_kwh(line: &mut Vec<u8>, wh: u64) {
    let mut int = itoa(wh / 1000);
    line.append(&mut int);
    let frac = (wh % 1000) as u32;
    line.push(b'.');
    line.push(b'0' + (frac / 100) as u8);
    line.push(b'0' + (frac / 10 % 10) as u8);
    line.push(b'0' + (frac % 10) as u8);
}

fn itoa(mut n: u64) -> Vec<u8> {
    let mut digits = Vec::with_capacity(20);
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    digits
}

fn round_to(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// Enterprises and their meters, in order, until `config.meters` meters exist.
fn population(config: &SynthConfig) -> (Vec<Enterprise>, Vec<MeterSpec>) {
    let mut rng = Rng::new(mix(config.seed, STREAM_POPULATION, 0));
    let mut enterprises = Vec::new();
    let mut meters: Vec<MeterSpec> = Vec::with_capacity(config.meters);
    let mut per_site = [0usize; SITES.len()];
    while meters.len() < config.meters {
        let i = enterprises.len();
        let site = if rng.uniform() < 0.75 { 0 } else { 1 };
        let s = &SITES[site];
        let shape = match rng.uniform() {
            u if u < 0.3 => LoadShape::OneShift,
            u if u < 0.6 => LoadShape::TwoShift,
            u if u < 0.8 => LoadShape::ThreeShift,
            u if u < 0.85 => LoadShape::DataCentre,
            u if u < 0.95 => LoadShape::Office,
            _ => LoadShape::ColdStore,
        };
        // Median 3 GWh a year, log-normal; data centres ten times larger.
        let mut annual_kwh = 3.0e6 * (1.0 * rng.normal()).exp();
        if shape == LoadShape::DataCentre {
            annual_kwh *= 10.0;
        }
        let code = CreditCode::complete(&format!("91{}MA6{:06}", s.division, 400_000 + i))
            .expect("synthetic credit code is well formed");
        let park = format!("{}{}", s.park_prefix, per_site[site] / PARK_SIZE + 1);
        per_site[site] += 1;
        let industry = shape.industry(rng.next());
        enterprises.push(Enterprise {
            code,
            name: format!("合成{}企业{:05}", s.region, i + 1),
            region: Region::parse(s.region).expect("known region"),
            park,
            industry,
            shape,
            annual_kwh,
            site,
        });

        let n_consumption = 1 + (rng.next() % 4) as usize;
        let weights: Vec<f64> = (0..n_consumption).map(|_| 0.5 + rng.uniform()).collect();
        let total: f64 = weights.iter().sum();
        let mean_kw = annual_kwh / 8760.0;
        for w in weights {
            if meters.len() == config.meters {
                break;
            }
            meters.push(MeterSpec {
                id: format!("M{:06}", meters.len() + 1),
                enterprise: i,
                role: MeterRole::Consumption,
                scale_kw: mean_kw * w / total / shape.mean_level(),
                cooling_scale: 0.5 + rng.uniform(),
                noise_sigma: 0.03 + 0.05 * rng.uniform(),
            });
        }
        let pv_probability = if shape == LoadShape::DataCentre {
            0.2
        } else {
            0.4
        };
        if meters.len() < config.meters && rng.uniform() < pv_probability {
            // Rooftop sized at 0.2-1.5x the mean load, rounded to 10 kWp.
            let kwp = ((mean_kw * (0.2 + 1.3 * rng.uniform()) / 10.0).round() * 10.0).max(10.0);
            meters.push(MeterSpec {
                id: format!("M{:06}", meters.len() + 1),
                enterprise: i,
                role: MeterRole::Solar,
                scale_kw: kwp,
                cooling_scale: 0.0,
                noise_sigma: 0.0,
            });
        }
    }
    (enterprises, meters)
}

/// Temperature, clear-sky PV and cloudiness of one site over the configured days.
fn climate(config: &SynthConfig, start_ts: i64, per_day: usize, site: &Site, k: u64) -> Climate {
    let days = config.days as usize;
    let hours = f64::from(config.interval_minutes) / 60.0;
    let mut rng = Rng::new(mix(config.seed, STREAM_CLIMATE, k));
    let mut temperature_c = Vec::with_capacity(days * per_day);
    let mut clear = Vec::with_capacity(days * per_day);
    let mut clearness = Vec::with_capacity(days);
    let mut variability = Vec::with_capacity(days);
    let mut weather_ar = 0.0;
    let mut temp_ar = 0.0;
    for d in 0..days {
        let date = local(start_ts + d as i64 * 86_400).date();
        let doy = f64::from(date.day_of_year());
        // Sichuan basin: about 8 °C in January, 29 °C in late July, diurnal swing ±4 °C.
        temp_ar = 0.8 * temp_ar + 1.2 * rng.normal();
        let daily_mean = 18.5 - 10.5 * (2.0 * PI * (doy - 15.0) / 365.0).cos() + temp_ar;
        // Weather persists for a few days; clearness is log-normal around the month's mean.
        weather_ar = 0.6 * weather_ar + 0.8 * rng.normal();
        let month_mean = site.clearness_by_month[date.month() as usize - 1];
        let kd = (month_mean * (0.55 * weather_ar - 0.15).exp()).clamp(0.03, 0.95);
        clearness.push(kd as f32);
        // Broken clouds are most variable at middling clearness.
        variability.push((2.0 * kd * (1.0 - kd)).min(0.5) as f32);
        for s in 0..per_day {
            let mid_hour = s as f64 * hours + hours / 2.0;
            let t = daily_mean + 4.0 * (2.0 * PI * (mid_hour - 15.0) / 24.0).cos();
            temperature_c.push(t as f32);
            let poa = clear_sky_poa_w_per_m2(site, doy, mid_hour);
            clear.push((poa / 1000.0 * hours * PV_PERFORMANCE_RATIO) as f32);
        }
    }
    Climate {
        temperature_c,
        clear_kwh_per_kwp: clear,
        clearness,
        variability,
    }
}

/// Clear-sky irradiance on a 25 deg south-facing plane (W/m²) at a local (UTC+8) clock hour.
///
/// Solar position from declination, equation of time and hour angle; global horizontal
/// irradiance from the Haurwitz model, 15% diffuse, ground albedo 0.2.
pub fn clear_sky_poa_w_per_m2_at(lat_deg: f64, lon_deg: f64, day_of_year: f64, hour: f64) -> f64 {
    let b = 2.0 * PI * (day_of_year - 81.0) / 364.0;
    let eot_min = 9.87 * (2.0 * b).sin() - 7.53 * b.cos() - 1.5 * b.sin();
    let solar_hour = hour + (4.0 * (lon_deg - 120.0) + eot_min) / 60.0;
    let decl = (23.45f64).to_radians() * (2.0 * PI * (284.0 + day_of_year) / 365.0).sin();
    let omega = (15.0 * (solar_hour - 12.0)).to_radians();
    let phi = lat_deg.to_radians();
    let cos_z = phi.sin() * decl.sin() + phi.cos() * decl.cos() * omega.cos();
    if cos_z <= 0.01 {
        return 0.0;
    }
    let ghi = 1098.0 * cos_z * (-0.057 / cos_z).exp();
    let dhi = 0.15 * ghi;
    let dni = (ghi - dhi) / cos_z;
    let tilt = 25f64.to_radians();
    let cos_incidence =
        decl.sin() * (phi - tilt).sin() + decl.cos() * (phi - tilt).cos() * omega.cos();
    dni * cos_incidence.max(0.0)
        + dhi * (1.0 + tilt.cos()) / 2.0
        + ghi * 0.2 * (1.0 - tilt.cos()) / 2.0
}

fn clear_sky_poa_w_per_m2(site: &Site, doy: f64, hour: f64) -> f64 {
    clear_sky_poa_w_per_m2_at(site.lat_deg, site.lon_deg, doy, hour)
}

// Tags of the independent random streams (ASCII of "meter", "grid", ...).
const STREAM_METER: u64 = 0x006d_6574_6572;
const STREAM_GRID: u64 = 0x6772_6964;
const STREAM_LEVEL: u64 = 0x006c_6576_656c;
const STREAM_POPULATION: u64 = 0x006f_7267;
const STREAM_CLIMATE: u64 = 0x636c_696d;

/// SplitMix64 finaliser over three words: independent streams per (seed, purpose, index).
fn mix(seed: u64, tag: u64, index: u64) -> u64 {
    let mut r = Rng::new(seed ^ tag.rotate_left(17));
    let a = r.next();
    let mut r = Rng::new(a ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    r.next()
}

/// SplitMix64: small, fast and good enough for synthetic data (not for anything secret).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Approximately standard normal (Irwin-Hall of four 16-bit uniforms), bounded ±3.46.
    fn normal(&mut self) -> f64 {
        let x = self.next();
        let s: u64 = (0..4).map(|k| (x >> (16 * k)) & 0xFFFF).sum();
        (s as f64 / 65_536.0 - 2.0) * 3f64.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(seed: u64) -> Dataset {
        Dataset::new(SynthConfig {
            seed,
            meters: 60,
            days: 28,
            ..SynthConfig::default()
        })
        .unwrap()
    }

    fn csv(ds: &Dataset) -> Vec<u8> {
        let mut out = Vec::new();
        ds.write_orgs_csv(&mut out).unwrap();
        ds.write_meters_csv(&mut out).unwrap();
        ds.write_grid_hourly_csv(&mut out).unwrap();
        ds.write_readings_csv(&mut out).unwrap();
        out
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = csv(&small(7));
        assert_eq!(a, csv(&small(7)));
        assert_ne!(a, csv(&small(8)));
        assert!(a.len() > 1_000_000, "{} bytes", a.len());
    }

    #[test]
    fn meters_are_generated_independently_of_each_other() {
        // Meter k's readings do not depend on how many meters follow it.
        let a = small(3);
        let b = Dataset::new(SynthConfig {
            seed: 3,
            meters: 200,
            days: 28,
            ..SynthConfig::default()
        })
        .unwrap();
        for m in [0, 17, 59] {
            assert_eq!(a.meters()[m], b.meters()[m]);
            assert!(a.meter_readings(m).eq(b.meter_readings(m)));
        }
    }

    #[test]
    fn population_is_valid() {
        let ds = Dataset::new(SynthConfig {
            meters: 500,
            days: 1,
            ..SynthConfig::default()
        })
        .unwrap();
        assert_eq!(ds.meters().len(), 500);
        let mut codes = std::collections::HashSet::new();
        for e in ds.enterprises() {
            assert_eq!(CreditCode::parse(e.code.as_str()).unwrap(), e.code);
            assert_eq!(
                Region::from_division_code(e.code.division_code()),
                Some(e.region)
            );
            assert!(codes.insert(e.code.clone()));
        }
        let solar = ds
            .meters()
            .iter()
            .filter(|m| m.role == MeterRole::Solar)
            .count();
        assert!((50..250).contains(&solar), "{solar} solar meters");
        // Every enterprise has a consumption meter, except possibly the last (cut at N).
        let n = ds.enterprises().len();
        for e in 0..n - 1 {
            assert!(
                ds.meters()
                    .iter()
                    .any(|m| m.enterprise == e && m.role == MeterRole::Consumption)
            );
        }
        let ids: std::collections::HashSet<_> = ds.meters().iter().map(|m| &m.id).collect();
        assert_eq!(ids.len(), 500);
    }

    #[test]
    fn readings_are_sorted_on_the_interval_grid() {
        let ds = small(1);
        for m in 0..ds.meters().len() {
            let mut last = i64::MIN;
            for r in ds.meter_readings(m) {
                assert!(r.ts > last);
                assert_eq!((r.ts - ds.interval_start(0)) % 900, 0);
                last = r.ts;
            }
        }
    }

    fn hourly_of_day(ds: &Dataset, m: usize) -> [f64; 24] {
        let mut sum = [0.0; 24];
        for r in ds.meter_readings(m) {
            sum[local(r.ts).hour() as usize] += r.wh as f64;
        }
        sum
    }

    #[test]
    fn pv_is_zero_at_night_and_peaks_near_solar_noon() {
        let ds = Dataset::new(SynthConfig {
            meters: 300,
            days: 365,
            missing_share: 0.0,
            ..SynthConfig::default()
        })
        .unwrap();
        let solar: Vec<usize> = (0..ds.meters().len())
            .filter(|&m| ds.meters()[m].role == MeterRole::Solar)
            .take(5)
            .collect();
        assert!(!solar.is_empty());
        for m in solar {
            for r in ds.meter_readings(m) {
                let h = local(r.ts).hour();
                if !(6..20).contains(&h) {
                    assert_eq!(r.wh, 0, "PV at {}", format_local(r.ts));
                }
            }
            let by_hour = hourly_of_day(&ds, m);
            let peak = (0..24)
                .max_by(|&a, &b| by_hour[a].total_cmp(&by_hour[b]))
                .unwrap();
            // Solar noon in Chongqing is about 12:55 local time.
            assert!((12..=13).contains(&peak), "peak hour {peak}");
            // Annual yield per kWp: Chongqing rooftops make about 812 kWh/kWp.
            let kwh: f64 = by_hour.iter().sum::<f64>() / 1000.0;
            let per_kwp = kwh / ds.meters()[m].scale_kw;
            assert!((600.0..1050.0).contains(&per_kwp), "{per_kwp} kWh/kWp");
        }
    }

    #[test]
    fn clear_sky_follows_the_sun_at_chongqing() {
        // Solar noon near 12:55, the sun up longer in July than in January.
        let noon = |doy: f64| {
            (0..24 * 60)
                .map(|m| m as f64 / 60.0)
                .max_by(|&a, &b| {
                    clear_sky_poa_w_per_m2_at(29.56, 106.55, doy, a)
                        .total_cmp(&clear_sky_poa_w_per_m2_at(29.56, 106.55, doy, b))
                })
                .unwrap()
        };
        assert!((12.6..13.3).contains(&noon(15.0)), "{}", noon(15.0));
        assert!((12.6..13.3).contains(&noon(196.0)), "{}", noon(196.0));
        let daylight = |doy: f64| {
            (0..24 * 60)
                .filter(|&m| clear_sky_poa_w_per_m2_at(29.56, 106.55, doy, m as f64 / 60.0) > 0.0)
                .count()
        };
        assert!(daylight(196.0) > daylight(15.0) + 120);
        assert_eq!(clear_sky_poa_w_per_m2_at(29.56, 106.55, 100.0, 2.0), 0.0);
    }

    fn first_with(ds: &Dataset, shape: LoadShape) -> usize {
        (0..ds.meters().len())
            .find(|&m| {
                let s = &ds.meters()[m];
                s.role == MeterRole::Consumption && ds.enterprises()[s.enterprise].shape == shape
            })
            .expect("shape present")
    }

    #[test]
    fn shift_plants_use_more_on_workdays_than_weekends() {
        let ds = Dataset::new(SynthConfig {
            meters: 300,
            days: 56,
            start: jiff::civil::date(2023, 3, 6),
            missing_share: 0.0,
            ..SynthConfig::default()
        })
        .unwrap();
        for shape in [
            LoadShape::OneShift,
            LoadShape::TwoShift,
            LoadShape::ThreeShift,
        ] {
            let m = first_with(&ds, shape);
            let (mut work, mut nwork, mut sun, mut nsun) = (0.0, 0, 0.0, 0);
            for r in ds.meter_readings(m) {
                match day_type(local(r.ts).date()) {
                    DayType::Workday => {
                        work += r.wh as f64;
                        nwork += 1;
                    }
                    DayType::Sunday => {
                        sun += r.wh as f64;
                        nsun += 1;
                    }
                    _ => {}
                }
            }
            let (work, sun) = (work / nwork as f64, sun / nsun as f64);
            assert!(work > sun * 1.05, "{shape:?}: workday {work} sunday {sun}");
        }
        // One-shift plants: daytime well above night on workdays.
        let m = first_with(&ds, LoadShape::OneShift);
        let by_hour = hourly_of_day(&ds, m);
        assert!(by_hour[10] > 3.0 * by_hour[3], "{by_hour:?}");
        // Data centres are flat: the largest hour within 15% of the smallest.
        let m = first_with(&ds, LoadShape::DataCentre);
        let by_hour = hourly_of_day(&ds, m);
        let (lo, hi) = by_hour
            .iter()
            .fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        assert!(hi < lo * 1.15, "{by_hour:?}");
    }

    #[test]
    fn cooling_raises_summer_load() {
        let year = Dataset::new(SynthConfig {
            meters: 300,
            missing_share: 0.0,
            ..SynthConfig::default()
        })
        .unwrap();
        let m = first_with(&year, LoadShape::Office);
        let mut by_month = [0.0; 12];
        for r in year.meter_readings(m) {
            by_month[local(r.ts).month() as usize - 1] += r.wh as f64;
        }
        assert!(by_month[7] > by_month[2] * 1.2, "{by_month:?}");
    }

    #[test]
    fn missing_share_is_honoured() {
        for share in [0.0, 0.01, 0.1] {
            let ds = Dataset::new(SynthConfig {
                meters: 40,
                days: 120,
                missing_share: share,
                ..SynthConfig::default()
            })
            .unwrap();
            let expected = ds.intervals() * ds.meters().len();
            let got: usize = (0..ds.meters().len())
                .map(|m| ds.meter_readings(m).count())
                .sum();
            let missing = 1.0 - got as f64 / expected as f64;
            assert!(
                (missing - share).abs() <= 0.1 * share + 1e-9,
                "asked {share}, got {missing}"
            );
        }
    }

    #[test]
    fn grid_factors_are_hourly_and_consistent() {
        let ds = small(5);
        let hours = ds.grid_hours();
        let regions: std::collections::HashSet<_> = hours.iter().map(|g| g.region).collect();
        assert_eq!(hours.len(), regions.len() * 28 * 24);
        for g in &hours {
            assert_eq!(g.ts % 3600, 0);
            assert!((0.0..=1.0).contains(&g.cfe_share));
            assert!((0.0..=2.0).contains(&g.tco2_per_mwh));
            let implied = (1.0 - g.cfe_share) * THERMAL_TCO2_PER_MWH;
            assert!((implied - g.tco2_per_mwh).abs() < 1e-3);
        }
        let cq = Region::parse("CQ").unwrap();
        let mean = |r| {
            let v: Vec<f64> = hours
                .iter()
                .filter(|g| g.region == r)
                .map(|g| g.tco2_per_mwh)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!((0.45..0.65).contains(&mean(cq)), "{}", mean(cq));
    }

    #[test]
    fn csv_values_have_three_decimals() {
        let mut line = Vec::new();
        push_kwh(&mut line, 0);
        push_kwh(&mut line, 5);
        push_kwh(&mut line, 123_456);
        assert_eq!(line, b"0.0000.005123.456");
        let ds = small(2);
        let mut out = Vec::new();
        ds.write_meter_readings_csv(0, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("M000001,2023-01-01T00:00:00+08:00,"),
            "{first}"
        );
        assert_eq!(text.lines().count(), ds.meter_readings(0).count());
    }

    #[test]
    fn bad_configs_are_rejected() {
        let bad = |c: SynthConfig| Dataset::new(c).unwrap_err();
        let d = SynthConfig::default;
        assert_eq!(
            bad(SynthConfig {
                interval_minutes: 7,
                ..d()
            }),
            SynthError::Interval(7)
        );
        assert_eq!(bad(SynthConfig { meters: 0, ..d() }), SynthError::Meters(0));
        assert_eq!(bad(SynthConfig { days: 0, ..d() }), SynthError::Days(0));
        assert_eq!(
            bad(SynthConfig {
                missing_share: 0.6,
                ..d()
            }),
            SynthError::MissingShare(0.6)
        );
    }
}

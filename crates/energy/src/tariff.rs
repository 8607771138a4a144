//! Time-of-use tariffs (分时电价): a version of a region's tariff for one customer
//! category (e.g. 大工业 `large_industrial`), valid from a day, made of bands. A band is a
//! set of months, a local time range `[start, end)` and a period (尖峰, 峰, 平, 谷, 深谷) with
//! its price. For every month of the year a version's bands tile the day: no gap, no
//! overlap ([`TariffVersion::tiling_errors`]), so every instant has exactly one price.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use zp_domain::Region;
use zp_domain::time::Date;

/// Minutes in a day: the exclusive end of the last band (`24:00`).
pub const DAY_MINUTES: u16 = 24 * 60;

/// The period of a band, most expensive first.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 尖峰
    Peak,
    /// 峰
    High,
    /// 平
    Flat,
    /// 谷
    Valley,
    /// 深谷
    DeepValley,
}

impl Period {
    pub const ALL: [Period; 5] = [
        Period::Peak,
        Period::High,
        Period::Flat,
        Period::Valley,
        Period::DeepValley,
    ];

    /// The key used in files and JSON: `peak`, `high`, `flat`, `valley`, `deep_valley`.
    pub fn key(self) -> &'static str {
        match self {
            Period::Peak => "peak",
            Period::High => "high",
            Period::Flat => "flat",
            Period::Valley => "valley",
            Period::DeepValley => "deep_valley",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Period::Peak => "尖峰",
            Period::High => "峰",
            Period::Flat => "平",
            Period::Valley => "谷",
            Period::DeepValley => "深谷",
        }
    }

    /// Accepts the key (any case) or the Chinese name (with or without 时段).
    pub fn parse(s: &str) -> Option<Period> {
        let t = s.trim();
        let zh = t.trim_end_matches("时段");
        Period::ALL
            .into_iter()
            .find(|p| p.key().eq_ignore_ascii_case(t) || p.name_zh() == zh)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A set of months (1 = January), written `1-12`, `7-8` or `1,12` (ranges and lists mix:
/// `1-2,12`). Displayed in the shortest such form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthSet(u16);

impl MonthSet {
    pub const ALL: MonthSet = MonthSet(0b1_1111_1111_1110);

    pub fn empty() -> MonthSet {
        MonthSet(0)
    }

    pub fn single(month: u8) -> MonthSet {
        assert!((1..=12).contains(&month), "month {month}");
        MonthSet(1 << month)
    }

    pub fn contains(self, month: u8) -> bool {
        (1..=12).contains(&month) && self.0 & (1 << month) != 0
    }

    pub fn union(self, other: MonthSet) -> MonthSet {
        MonthSet(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn months(self) -> impl Iterator<Item = u8> {
        (1..=12).filter(move |m| self.contains(*m))
    }

    /// Parses `1-12`, `7-8`, `1,12`, `1-2,12` (a range may not wrap: write `11-12,1-2`).
    pub fn parse(s: &str) -> Result<MonthSet, String> {
        let mut set = MonthSet::empty();
        let month = |p: &str| -> Result<u8, String> {
            p.trim()
                .parse::<u8>()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(|| format!("{:?} is not a month 1-12", p.trim()))
        };
        for part in s.split([',', ';', '，']) {
            if part.trim().is_empty() {
                return Err(format!("months {s:?}: an empty item"));
            }
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (month(a)?, month(b)?),
                None => {
                    let m = month(part)?;
                    (m, m)
                }
            };
            if a > b {
                return Err(format!(
                    "months {s:?}: range {a}-{b} runs backwards (write {a}-12,1-{b})"
                ));
            }
            for m in a..=b {
                set = set.union(MonthSet::single(m));
            }
        }
        Ok(set)
    }
}

impl fmt::Display for MonthSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let mut m = 1u8;
        while m <= 12 {
            if self.contains(m) {
                let start = m;
                while m < 12 && self.contains(m + 1) {
                    m += 1;
                }
                parts.push(if start == m {
                    start.to_string()
                } else {
                    format!("{start}-{m}")
                });
            }
            m += 1;
        }
        f.write_str(&parts.join(","))
    }
}

impl Serialize for MonthSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for MonthSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        MonthSet::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `HH:MM` of a minute of the day (`24:00` for the end of the day).
pub fn hhmm(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Parses `HH:MM` (or `H:MM`, `HH:MM:00`) into minutes after midnight; `24:00` is the end
/// of the day.
pub fn parse_hhmm(s: &str) -> Result<u16, String> {
    let t = s.trim();
    let t = t
        .strip_suffix(":00")
        .filter(|r| r.contains(':'))
        .unwrap_or(t);
    let bad = || format!("{:?} is not a time HH:MM (00:00 to 24:00)", s.trim());
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let digits = |x: &str| !x.is_empty() && x.len() <= 2 && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// One band of a tariff version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Band {
    pub months: MonthSet,
    /// Minutes after local midnight, inclusive.
    pub start_min: u16,
    /// Minutes after local midnight, exclusive (1440 = `24:00`).
    pub end_min: u16,
    pub period: Period,
    pub yuan_per_kwh: Decimal,
}

impl Band {
    pub fn covers(&self, month: u8, minute: u16) -> bool {
        self.months.contains(month) && self.start_min <= minute && minute < self.end_min
    }

    /// `months HH:MM-HH:MM period price`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "months {} {}-{} {} {} yuan/kWh",
            self.months,
            hhmm(self.start_min),
            hhmm(self.end_min),
            self.period,
            self.yuan_per_kwh
        )
    }
}

/// A tariff of a region and category, valid from a day until the next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TariffVersion {
    pub region: Region,
    pub category: String,
    pub valid_from: Date,
    pub bands: Vec<Band>,
}

/// Why a version's bands do not tile the day in some months. `band` indexes
/// [`TariffVersion::bands`] (the band after a gap, the later of two overlapping bands, or
/// the last band for a gap at the end of the day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TilingError {
    pub band: usize,
    pub months: MonthSet,
    pub kind: TilingKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TilingKind {
    /// No band covers `[from, to)`.
    Gap { from: u16, to: u16 },
    /// Band `other` also covers `[from, to)`.
    Overlap { other: usize, from: u16, to: u16 },
    /// No band at all in these months.
    NoBands,
}

impl fmt::Display for TilingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TilingKind::Gap { from, to } => write!(
                f,
                "months {}: no band covers {}-{} (the bands of a month must tile the day)",
                self.months,
                hhmm(*from),
                hhmm(*to)
            ),
            TilingKind::Overlap { from, to, .. } => write!(
                f,
                "months {}: {}-{} is covered twice (bands of a month may not overlap)",
                self.months,
                hhmm(*from),
                hhmm(*to)
            ),
            TilingKind::NoBands => write!(
                f,
                "months {}: no band at all (every month needs bands from 00:00 to 24:00)",
                self.months
            ),
        }
    }
}

impl TariffVersion {
    /// The band in force at `minute` of a day of `month`; `None` only for a version whose
    /// tiling is broken (never for a validated one).
    pub fn band_at(&self, month: u8, minute: u16) -> Option<&Band> {
        self.bands.iter().find(|b| b.covers(month, minute))
    }

    /// Every way the bands fail to tile a month's day, the same fault of several months
    /// reported once with all of them. Empty for a valid version.
    pub fn tiling_errors(&self) -> Vec<TilingError> {
        // (band, kind) -> months
        let mut found: BTreeMap<(usize, TilingKey), MonthSet> = BTreeMap::new();
        for month in 1..=12u8 {
            let mut idx: Vec<usize> = (0..self.bands.len())
                .filter(|&i| self.bands[i].months.contains(month))
                .collect();
            idx.sort_by_key(|&i| (self.bands[i].start_min, self.bands[i].end_min, i));
            let mut faults = Vec::new();
            if idx.is_empty() {
                faults.push((0, TilingKey::NoBands));
            }
            // The end of the day covered so far and the band that reaches it.
            let mut cursor = 0u16;
            let mut reach: Option<usize> = None;
            for &i in &idx {
                let b = &self.bands[i];
                if b.start_min > cursor {
                    faults.push((i, TilingKey::Gap(cursor, b.start_min)));
                } else if b.start_min < cursor
                    && let Some(r) = reach
                {
                    let to = cursor.min(b.end_min);
                    faults.push((i, TilingKey::Overlap(r, b.start_min, to)));
                }
                if b.end_min > cursor {
                    cursor = b.end_min;
                    reach = Some(i);
                }
            }
            if let (Some(&last), true) = (idx.last(), cursor < DAY_MINUTES) {
                faults.push((reach.unwrap_or(last), TilingKey::Gap(cursor, DAY_MINUTES)));
            }
            for f in faults {
                let e = found.entry(f).or_insert(MonthSet::empty());
                *e = e.union(MonthSet::single(month));
            }
        }
        found
            .into_iter()
            .map(|((band, key), months)| TilingError {
                band,
                months,
                kind: match key {
                    TilingKey::Gap(from, to) => TilingKind::Gap { from, to },
                    TilingKey::Overlap(other, from, to) => TilingKind::Overlap { other, from, to },
                    TilingKey::NoBands => TilingKind::NoBands,
                },
            })
            .collect()
    }

    /// `CQ large_industrial from 2023-01-01`, for messages.
    pub fn label(&self) -> String {
        format!(
            "{} {} from {}",
            self.region.code(),
            self.category,
            self.valid_from
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TilingKey {
    Gap(u16, u16),
    Overlap(usize, u16, u16),
    NoBands,
}

/// The version in force on `day` among the versions of one region and category: the one
/// with the latest `valid_from <= day`.
pub fn version_on(versions: &[TariffVersion], day: Date) -> Option<&TariffVersion> {
    versions
        .iter()
        .filter(|v| v.valid_from <= day)
        .max_by_key(|v| v.valid_from)
}

//! Time for interval data: UTC epoch seconds everywhere, calendar grouping in China
//! Standard Time (UTC+8, no daylight saving), a fast parser for the common timestamp
//! layouts, and the hour grids and periods the kernels aggregate over.

use zp_domain::time::CST_OFFSET_SECONDS;

/// Length of a meter's interval. Every reading's `ts` is the start of its interval and
/// is aligned to it (e.g. 15-minute readings start at :00, :15, :30, :45).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Interval {
    Min5,
    Min15,
    Min30,
    Min60,
}

impl Interval {
    /// All intervals, longest first.
    pub const ALL: [Interval; 4] = [
        Interval::Min60,
        Interval::Min30,
        Interval::Min15,
        Interval::Min5,
    ];

    pub fn seconds(self) -> i64 {
        match self {
            Interval::Min5 => 300,
            Interval::Min15 => 900,
            Interval::Min30 => 1800,
            Interval::Min60 => 3600,
        }
    }

    pub fn minutes(self) -> i64 {
        self.seconds() / 60
    }

    /// Readings per hour (12, 4, 2 or 1).
    pub fn per_hour(self) -> usize {
        (3600 / self.seconds()) as usize
    }

    pub fn from_seconds(s: i64) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.seconds() == s)
    }

    /// The longest interval `ts` is the start of (None when not on a 5-minute boundary).
    pub fn longest_aligned(ts: i64) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.starts(ts))
    }

    /// Whether `ts` is the start of an interval of this length. One arm per length, so
    /// that each divides by a constant (a multiplication) on the import's hot path.
    #[inline]
    pub fn starts(self, ts: i64) -> bool {
        match self {
            Interval::Min5 => ts.rem_euclid(300) == 0,
            Interval::Min15 => ts.rem_euclid(900) == 0,
            Interval::Min30 => ts.rem_euclid(1800) == 0,
            Interval::Min60 => ts.rem_euclid(3600) == 0,
        }
    }

    /// The slot `offset` seconds after the start of a grid of this interval (`offset` >= 0
    /// and aligned), by constant division as in [`Interval::starts`].
    #[inline]
    pub fn slot(self, offset: i64) -> usize {
        let offset = offset as u64;
        (match self {
            Interval::Min5 => offset / 300,
            Interval::Min15 => offset / 900,
            Interval::Min30 => offset / 1800,
            Interval::Min60 => offset / 3600,
        }) as usize
    }
}

/// The times an import accepts: `[from, to)` in epoch seconds. Readings outside it (year
/// 0000 or 1900 typos, far-future timestamps) are quarantined before anything is written.
/// The default is local (UTC+8) 2000-01-01 00:00 to 2100-01-01 00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub from: i64,
    pub to: i64,
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange {
            from: local_midnight(2000, 1, 1),
            to: local_midnight(2100, 1, 1),
        }
    }
}

impl TimeRange {
    pub fn contains(&self, ts: i64) -> bool {
        ts >= self.from && ts < self.to
    }

    /// `[2000-01-01, 2100-01-01)` style text (local dates; the bounds are midnights in
    /// the default range).
    pub(crate) fn describe(&self) -> String {
        let day = |t: i64| {
            let (y, m, d) = local_date(t);
            format!("{y:04}-{m:02}-{d:02}")
        };
        format!("[{}, {})", day(self.from), day(self.to))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Epoch seconds of local (UTC+8) midnight starting the date.
pub fn local_midnight(y: i32, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * 86_400 - CST_OFFSET_SECONDS
}

/// Local civil date of an epoch second.
pub fn local_date(ts: i64) -> (i32, u32, u32) {
    civil_from_days((ts + CST_OFFSET_SECONDS).div_euclid(86_400))
}

/// Local calendar year of an epoch second.
pub fn local_year(ts: i64) -> i32 {
    local_date(ts).0
}

/// `[start, end)` of a local calendar year, epoch seconds.
pub fn year_bounds(year: i32) -> (i64, i64) {
    (local_midnight(year, 1, 1), local_midnight(year + 1, 1, 1))
}

/// Start of the local month containing `ts`.
pub fn month_start(ts: i64) -> i64 {
    let (y, m, _) = local_date(ts);
    local_midnight(y, m, 1)
}

fn next_month_start(ts: i64) -> i64 {
    let (y, m, _) = local_date(ts);
    if m == 12 {
        local_midnight(y + 1, 1, 1)
    } else {
        local_midnight(y, m + 1, 1)
    }
}

fn digits<const N: usize>(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in &b[..N] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Fast path for the usual layouts: `YYYY-MM-DD[T| ]HH:MM[:SS]` followed by nothing (local
/// Asia/Shanghai time), `Z`, or `+HH:MM` / `-HH:MM`. Returns None for anything else, which
/// the caller then hands to [`zp_domain::time::parse_timestamp`] (same results, slower).
pub fn parse_ts_fast(s: &[u8]) -> Option<i64> {
    if s.len() < 16 || s[4] != b'-' || s[7] != b'-' || !(s[10] == b'T' || s[10] == b' ') {
        return None;
    }
    if s[13] != b':' {
        return None;
    }
    let y = digits::<4>(s)? as i32;
    let mo = digits::<2>(&s[5..])?;
    let d = digits::<2>(&s[8..])?;
    let h = digits::<2>(&s[11..])?;
    let mi = digits::<2>(&s[14..])?;
    let (sec, rest) = if s.len() >= 19 && s[16] == b':' {
        (digits::<2>(&s[17..])?, &s[19..])
    } else {
        (0, &s[16..])
    };
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || sec > 59
    {
        return None;
    }
    let offset = match rest {
        [] => CST_OFFSET_SECONDS,
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), a, b, b':', c, e] => {
            let oh = digits::<2>(&[*a, *b])? as i64;
            let om = digits::<2>(&[*c, *e])? as i64;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + sec) as i64 - offset)
}

/// Parses an interval start (fast path first, then the full parser of `zp-domain`).
pub fn parse_ts(s: &str) -> Result<i64, zp_domain::time::TimeError> {
    match parse_ts_fast(s.trim().as_bytes()) {
        Some(t) => Ok(t),
        None => zp_domain::time::parse_timestamp(s),
    }
}

/// [`parse_ts`] for imports, with the reason as text: a UTC offset of 24 hours or more
/// (`+24:00`, which some parsers accept) is refused, as RFC 3339 allows `-23:59..+23:59`.
pub fn parse_ts_checked(s: &str) -> Result<i64, String> {
    let t = s.trim().as_bytes();
    if t.len() >= 6 {
        let o = &t[t.len() - 6..];
        if matches!(o[0], b'+' | b'-')
            && o[3] == b':'
            && o[1..3].iter().all(u8::is_ascii_digit)
            && (o[1] - b'0') * 10 + (o[2] - b'0') >= 24
        {
            return Err(format!(
                "ts {:?} has UTC offset {}: offsets run from -23:59 to +23:59",
                s.trim(),
                String::from_utf8_lossy(o)
            ));
        }
    }
    parse_ts(s).map_err(|e| e.to_string())
}

/// Parses a local date `YYYY-MM-DD` into the epoch second of its midnight (UTC+8).
pub fn parse_date(s: &str) -> Option<i64> {
    parse_date_bytes(s.trim().as_bytes())
}

/// [`parse_date`] on exactly ten bytes `YYYY-MM-DD`.
pub(crate) fn parse_date_bytes(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits::<4>(b)? as i32;
    let m = digits::<2>(&b[5..])?;
    let d = digits::<2>(&b[8..])?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(local_midnight(y, m, d))
}

/// The import's fast path for the two layouts of generated and exported files,
/// `YYYY-MM-DDTHH:MM:SS+08:00` and naive local `YYYY-MM-DD HH:MM:SS` (or with `T`), each
/// followed by a comma. The date's midnight is parsed once and kept while the following rows
/// repeat those ten bytes (files list a meter's readings in time order, so a day's 96 rows
/// share it). Returns None for anything else; [`parse_ts_fast`] and the full parser then
/// decide, with the same result for the rows this accepts.
#[derive(Debug, Clone, Default)]
pub(crate) struct DayCache {
    date: [u8; 10],
    midnight: Option<i64>,
}

impl DayCache {
    /// (epoch seconds, length of the timestamp) when `t` starts with a timestamp of one of
    /// the two layouts followed by `,`.
    #[inline(always)]
    pub(crate) fn parse(&mut self, t: &[u8]) -> Option<(i64, usize)> {
        if t.len() < 20 {
            return None;
        }
        let midnight = match self.midnight {
            Some(m) if same_date(&t[..10], &self.date) => m,
            _ => {
                let m = parse_date_bytes(&t[..10]);
                self.date.copy_from_slice(&t[..10]);
                self.midnight = m;
                m?
            }
        };
        if !(t[10] == b'T' || t[10] == b' ') || t[13] != b':' || t[16] != b':' {
            return None;
        }
        let two = |a: u8, b: u8| {
            let (a, b) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
            (a < 10 && b < 10).then_some(a as i64 * 10 + b as i64)
        };
        let h = two(t[11], t[12])?;
        let mi = two(t[14], t[15])?;
        let s = two(t[17], t[18])?;
        if h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let ts = midnight + h * 3600 + mi * 60 + s;
        match t[19] {
            b',' => Some((ts, 19)),
            b'+' if t.len() > 25 && &t[19..25] == b"+08:00" && t[25] == b',' => Some((ts, 25)),
            _ => None,
        }
    }
}

/// Ten bytes equal (two loads instead of a `memcmp` call on the hot path).
#[inline]
fn same_date(a: &[u8], b: &[u8; 10]) -> bool {
    let word = |x: &[u8]| u64::from_le_bytes(x[..8].try_into().expect("8 bytes"));
    word(a) == word(b) && a[8..10] == b[8..10]
}

/// A run of whole hours: hour `i` starts at `start + 3600 * i`. All dense hourly vectors
/// of the kernels are indexed on a grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourGrid {
    /// Start of the first hour, epoch seconds (a multiple of 3600).
    pub start: i64,
    pub hours: usize,
}

impl HourGrid {
    /// The hours of `[from, to)`; `from` is rounded down and `to` up to whole hours.
    pub fn new(from: i64, to: i64) -> HourGrid {
        let start = from.div_euclid(3600) * 3600;
        let end = (to + 3599).div_euclid(3600) * 3600;
        HourGrid {
            start,
            hours: ((end - start).max(0) / 3600) as usize,
        }
    }

    /// The local days `from ..= to` (both `YYYY-MM-DD`, `to` inclusive).
    pub fn days_inclusive(from: &str, to: &str) -> Option<HourGrid> {
        let a = parse_date(from)?;
        let b = parse_date(to)? + 86_400;
        (b > a).then(|| HourGrid::new(a, b))
    }

    pub fn end(&self) -> i64 {
        self.start + 3600 * self.hours as i64
    }

    pub fn hour_start(&self, i: usize) -> i64 {
        self.start + 3600 * i as i64
    }
}

/// Calendar resolution of a report, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolution {
    Hour,
    Day,
    Month,
}

impl Resolution {
    pub fn parse(s: &str) -> Option<Resolution> {
        match s {
            "hour" => Some(Resolution::Hour),
            "day" => Some(Resolution::Day),
            "month" => Some(Resolution::Month),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Resolution::Hour => "hour",
            Resolution::Day => "day",
            Resolution::Month => "month",
        }
    }

    /// Label of the period starting at `start`: `2023-07-10T10:00:00+08:00`,
    /// `2023-07-10` or `2023-07`.
    pub fn label(self, start: i64) -> String {
        let (y, m, d) = local_date(start);
        match self {
            Resolution::Hour => zp_domain::time::format_local(start),
            Resolution::Day => format!("{y:04}-{m:02}-{d:02}"),
            Resolution::Month => format!("{y:04}-{m:02}"),
        }
    }
}

/// The periods of a grid at a resolution: period `p` covers hours
/// `bounds[p] .. bounds[p + 1]` of the grid and starts at `starts[p]` (periods cut by the
/// grid's ends are partial).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods {
    pub resolution: Resolution,
    pub starts: Vec<i64>,
    pub bounds: Vec<usize>,
}

impl Periods {
    pub fn new(grid: HourGrid, resolution: Resolution) -> Periods {
        let mut starts = Vec::new();
        let mut bounds = vec![0];
        let end = grid.end();
        let mut t = grid.start;
        while t < end {
            let (start, next) = match resolution {
                Resolution::Hour => (t, t + 3600),
                Resolution::Day => {
                    let s = zp_domain::time::day_start(t);
                    (s, s + 86_400)
                }
                Resolution::Month => (month_start(t), next_month_start(t)),
            };
            let next = next.min(end);
            starts.push(start);
            bounds.push(((next - grid.start) / 3600) as usize);
            t = next;
        }
        Periods {
            resolution,
            starts,
            bounds,
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Hours of the grid in period `p`.
    pub fn range(&self, p: usize) -> std::ops::Range<usize> {
        self.bounds[p]..self.bounds[p + 1]
    }

    pub fn label(&self, p: usize) -> String {
        self.resolution.label(self.starts[p])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000i64, -1, 0, 1, 19_000, 19_358, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2023, 1, 1), 19_358);
    }

    #[test]
    fn naive_offset_and_utc_are_one_instant() {
        let a = parse_ts("2023-07-10 10:15").unwrap();
        let b = parse_ts("2023-07-10T10:15:00+08:00").unwrap();
        let c = parse_ts("2023-07-10T02:15:00Z").unwrap();
        let d = parse_ts("2023-07-10T10:15:00").unwrap();
        assert_eq!((a, b, c), (d, d, d));
        assert_eq!(
            zp_domain::time::format_local(a),
            "2023-07-10T10:15:00+08:00"
        );
    }

    #[test]
    fn days_and_months_are_local() {
        let g = HourGrid::days_inclusive("2023-01-31", "2023-03-01").unwrap();
        assert_eq!(g.hours, 30 * 24);
        assert_eq!(g.start, parse_ts("2023-01-31T00:00:00+08:00").unwrap());
        let m = Periods::new(g, Resolution::Month);
        assert_eq!(
            (0..m.len()).map(|p| m.label(p)).collect::<Vec<_>>(),
            ["2023-01", "2023-02", "2023-03"]
        );
        assert_eq!(m.bounds, [0, 24, 24 + 28 * 24, 30 * 24]);
        let d = Periods::new(g, Resolution::Day);
        assert_eq!(d.len(), 30);
        assert!(d.starts.windows(2).all(|w| w[1] - w[0] == 86_400));
        assert_eq!(d.label(0), "2023-01-31");
    }

    #[test]
    fn no_daylight_saving_in_shanghai() {
        for day in ["2023-03-26", "2023-10-29", "2023-03-12", "2023-11-05"] {
            let g = HourGrid::days_inclusive(day, day).unwrap();
            assert_eq!(g.hours, 24, "{day}");
        }
    }

    #[test]
    fn intervals_align() {
        let t = parse_ts("2023-07-10T10:15:00+08:00").unwrap();
        assert_eq!(Interval::longest_aligned(t), Some(Interval::Min15));
        assert_eq!(Interval::longest_aligned(t + 900), Some(Interval::Min30));
        assert_eq!(Interval::longest_aligned(t + 60), None);
        assert_eq!(Interval::longest_aligned(t - 900), Some(Interval::Min60));
    }

    proptest! {
        #[test]
        fn fast_parser_agrees_with_domain_parser(
            y in 1990i32..2100, mo in 1u32..=12, d in 1u32..=31, h in 0u32..24,
            mi in 0u32..60, s in 0u32..60, form in 0usize..6, oh in 0i32..14,
        ) {
            let date = format!("{y:04}-{mo:02}-{d:02}");
            let text = match form {
                0 => format!("{date}T{h:02}:{mi:02}:{s:02}+08:00"),
                1 => format!("{date}T{h:02}:{mi:02}:{s:02}Z"),
                2 => format!("{date} {h:02}:{mi:02}:{s:02}"),
                3 => format!("{date}T{h:02}:{mi:02}"),
                4 => format!("{date}T{h:02}:{mi:02}:{s:02}-{oh:02}:30"),
                _ => format!("{date}T{h:02}:{mi:02}:{s:02}"),
            };
            let fast = parse_ts_fast(text.as_bytes());
            let full = zp_domain::time::parse_timestamp(&text).ok();
            prop_assert_eq!(fast, full, "{}", text);
        }

        #[test]
        fn day_cache_agrees_with_fast_parser(
            days in proptest::collection::vec((2020i32..2030, 0u32..14, 0u32..33), 1..4),
            times in proptest::collection::vec((0u32..26, 0u32..61, 0u32..61, 0usize..5), 1..8),
        ) {
            let mut cache = DayCache::default();
            for (y, mo, d) in days {
                for &(h, mi, s, form) in &times {
                    let date = format!("{y:04}-{mo:02}-{d:02}");
                    let ts = match form {
                        0 => format!("{date}T{h:02}:{mi:02}:{s:02}+08:00"),
                        1 => format!("{date} {h:02}:{mi:02}:{s:02}"),
                        2 => format!("{date}T{h:02}:{mi:02}:{s:02}"),
                        3 => format!("{date}T{h:02}:{mi:02}:{s:02}+07:00"),
                        _ => format!("{date}T{h:02}:{mi:02}:{s:02}Z"),
                    };
                    let got = cache.parse(format!("{ts},1.5").as_bytes());
                    match got {
                        Some((t, len)) => {
                            prop_assert_eq!(len, ts.len());
                            prop_assert_eq!(Some(t), parse_ts_fast(ts.as_bytes()), "{}", ts);
                        }
                        None => prop_assert!(form >= 3 || parse_ts_fast(ts.as_bytes()).is_none(), "{}", ts),
                    }
                }
            }
        }

        #[test]
        fn local_date_matches_jiff(ts in 0i64..4_000_000_000) {
            let dt = zp_domain::time::local(ts);
            prop_assert_eq!(
                local_date(ts),
                (dt.year() as i32, dt.month() as u32, dt.day() as u32)
            );
            prop_assert_eq!(month_start(ts) <= ts, true);
        }
    }
}

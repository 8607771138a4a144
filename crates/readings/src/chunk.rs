//! A chunk: the readings of one meter in one local calendar year, on the meter's interval
//! grid, trimmed to the span between its first and last present reading.
//!
//! On disk (little-endian, version 1):
//!
//! ```text
//! offset size  field
//!      0    4  magic "ZPRC"
//!      4    2  format version (1)
//!      6    2  interval in seconds (300, 900, 1800 or 3600)
//!      8    4  meter id (catalog)
//!     12    4  local year
//!     16    8  start: epoch seconds of slot 0
//!     24    4  slots
//!     28    4  present readings (count of set bits)
//!     32  8*w  presence bitmap, w = ceil(slots / 64) words, bit i of word i/64 = slot i
//!      .  4*n  values in Wh (u32), 0 where absent
//!      .    4  CRC-32 of all preceding bytes
//! ```

use crate::calendar::Interval;
use crate::error::{ReadingsError, Result};
use std::path::Path;

const MAGIC: &[u8; 4] = b"ZPRC";
const VERSION: u16 = 1;
const HEADER: usize = 32;

/// The readings of one meter over a run of slots: values in Wh (0 where absent) and a
/// presence bitmap. Slot `i` is the interval starting at `start + i * interval`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub interval: Interval,
    pub start: i64,
    pub values: Vec<u32>,
    pub present: Vec<u64>,
}

impl Chunk {
    /// An empty run of `slots` slots.
    pub fn empty(interval: Interval, start: i64, slots: usize) -> Chunk {
        Chunk {
            interval,
            start,
            values: vec![0; slots],
            present: vec![0; slots.div_ceil(64)],
        }
    }

    pub fn slots(&self) -> usize {
        self.values.len()
    }

    /// Epoch second just after the last slot.
    pub fn end(&self) -> i64 {
        self.start + self.interval.seconds() * self.values.len() as i64
    }

    #[inline]
    pub fn is_present(&self, i: usize) -> bool {
        self.present[i >> 6] >> (i & 63) & 1 == 1
    }

    #[inline]
    pub fn set(&mut self, i: usize, wh: u32) {
        self.values[i] = wh;
        self.present[i >> 6] |= 1 << (i & 63);
    }

    /// Number of present readings.
    pub fn count(&self) -> u64 {
        self.present.iter().map(|w| w.count_ones() as u64).sum()
    }

    /// Slot index of `ts`, if inside the chunk and on its grid.
    pub fn slot_of(&self, ts: i64) -> Option<usize> {
        let off = ts - self.start;
        let s = self.interval.seconds();
        (off >= 0 && off % s == 0 && ((off / s) as usize) < self.values.len())
            .then_some((off / s) as usize)
    }

    /// Present readings as (interval start, Wh), in time order.
    pub fn readings(&self) -> impl Iterator<Item = (i64, u32)> + '_ {
        let s = self.interval.seconds();
        (0..self.values.len())
            .filter(|&i| self.is_present(i))
            .map(move |i| (self.start + i as i64 * s, self.values[i]))
    }

    /// The same readings trimmed to the span of present slots (None when there are none).
    pub fn trimmed(&self) -> Option<Chunk> {
        let fw = self.present.iter().position(|&w| w != 0)?;
        let lw = self.present.iter().rposition(|&w| w != 0)?;
        let first = fw * 64 + self.present[fw].trailing_zeros() as usize;
        let last = lw * 64 + 63 - self.present[lw].leading_zeros() as usize;
        let slots = last - first + 1;
        let mut out = Chunk {
            interval: self.interval,
            start: self.start + first as i64 * self.interval.seconds(),
            values: self.values[first..=last].to_vec(),
            present: vec![0; slots.div_ceil(64)],
        };
        let shift = first % 64;
        for (k, word) in out.present.iter_mut().enumerate() {
            let w = first / 64 + k;
            let high = match shift {
                0 => 0,
                _ => self.present.get(w + 1).map_or(0, |x| x << (64 - shift)),
            };
            *word = self.present[w] >> shift | high;
        }
        if !slots.is_multiple_of(64) {
            *out.present.last_mut().expect("one slot at least") &= (1 << (slots % 64)) - 1;
        }
        // Absent slots hold 0.
        for (k, &word) in out.present.iter().enumerate() {
            if word != u64::MAX {
                let end = (k * 64 + 64).min(slots);
                for i in k * 64..end {
                    if word >> (i - k * 64) & 1 == 0 {
                        out.values[i] = 0;
                    }
                }
            }
        }
        Some(out)
    }

    /// Serialises with header and checksum.
    pub fn encode(&self, meter_id: u32, year: i32) -> Vec<u8> {
        let n = self.values.len();
        let mut b = Vec::with_capacity(HEADER + 8 * self.present.len() + 4 * n + 4);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&VERSION.to_le_bytes());
        b.extend_from_slice(&(self.interval.seconds() as u16).to_le_bytes());
        b.extend_from_slice(&meter_id.to_le_bytes());
        b.extend_from_slice(&year.to_le_bytes());
        b.extend_from_slice(&self.start.to_le_bytes());
        b.extend_from_slice(&(n as u32).to_le_bytes());
        b.extend_from_slice(&(self.count() as u32).to_le_bytes());
        for w in &self.present {
            b.extend_from_slice(&w.to_le_bytes());
        }
        for v in &self.values {
            b.extend_from_slice(&v.to_le_bytes());
        }
        let crc = crc32fast::hash(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    /// Parses and verifies a chunk file's bytes (checksum, header, meter and year).
    pub fn decode(bytes: &[u8], path: &Path, meter_id: u32, year: i32) -> Result<Chunk> {
        let bad = |r: &str| ReadingsError::corrupt(path, r);
        if bytes.len() < HEADER + 4 {
            return Err(bad("file too short"));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 4);
        let stored = u32::from_le_bytes(tail.try_into().expect("4 bytes"));
        if crc32fast::hash(body) != stored {
            return Err(bad("checksum mismatch"));
        }
        if &body[..4] != MAGIC {
            return Err(bad("not a readings chunk (bad magic)"));
        }
        let u16_at = |o: usize| u16::from_le_bytes(body[o..o + 2].try_into().expect("2"));
        let u32_at = |o: usize| u32::from_le_bytes(body[o..o + 4].try_into().expect("4"));
        let version = u16_at(4);
        if version != VERSION {
            return Err(bad(&format!(
                "format version {version}, expected {VERSION}"
            )));
        }
        let interval = Interval::from_seconds(u16_at(6) as i64)
            .ok_or_else(|| bad(&format!("interval {} s", u16_at(6))))?;
        if u32_at(8) != meter_id || u32_at(12) as i32 != year {
            return Err(bad("chunk belongs to another meter or year"));
        }
        let start = i64::from_le_bytes(body[16..24].try_into().expect("8"));
        let n = u32_at(24) as usize;
        let words = n.div_ceil(64);
        if body.len() != HEADER + 8 * words + 4 * n {
            return Err(bad("length does not match the slot count"));
        }
        let present: Vec<u64> = body[HEADER..HEADER + 8 * words]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8")))
            .collect();
        let values: Vec<u32> = body[HEADER + 8 * words..]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
            .collect();
        let chunk = Chunk {
            interval,
            start,
            values,
            present,
        };
        if chunk.count() != u32_at(28) as u64 {
            return Err(bad("present count does not match the bitmap"));
        }
        Ok(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_and_detect_damage() {
        let mut c = Chunk::empty(Interval::Min15, 1_688_954_400, 130);
        c.set(0, 7);
        c.set(64, 2_500_000);
        c.set(129, 1);
        let bytes = c.encode(3, 2023);
        let p = Path::new("x.zpr");
        assert_eq!(Chunk::decode(&bytes, p, 3, 2023).unwrap(), c);
        assert_eq!(
            Chunk::decode(&bytes, p, 4, 2023).unwrap_err().to_string(),
            "x.zpr: corrupt readings data: chunk belongs to another meter or year"
        );
        let mut bad = bytes.clone();
        bad[40] ^= 1;
        let e = Chunk::decode(&bad, p, 3, 2023).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        assert_eq!(
            Chunk::decode(&bytes[..20], p, 3, 2023)
                .unwrap_err()
                .to_string(),
            "x.zpr: corrupt readings data: file too short"
        );
    }

    #[test]
    fn trims_to_present_span() {
        let mut c = Chunk::empty(Interval::Min60, 0, 10);
        c.set(3, 5);
        c.set(6, 9);
        let t = c.trimmed().unwrap();
        assert_eq!(t.start, 3 * 3600);
        assert_eq!(t.slots(), 4);
        assert_eq!(
            t.readings().collect::<Vec<_>>(),
            [(3 * 3600, 5), (6 * 3600, 9)]
        );
        assert!(Chunk::empty(Interval::Min5, 0, 3).trimmed().is_none());
    }

    #[test]
    fn trimming_shifts_bitmap_and_values_at_any_offset() {
        let mut seed = 7u64;
        for case in 0..300 {
            let slots = 1 + case % 257;
            let mut c = Chunk::empty(Interval::Min15, 900 * 7, slots);
            for i in 0..slots {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                if seed >> 61 < 3 - (case % 3) as u64 {
                    c.set(i, (seed >> 40) as u32);
                }
            }
            let Some(t) = c.trimmed() else {
                assert_eq!(c.count(), 0);
                continue;
            };
            let present: Vec<(i64, u32)> = c.readings().collect();
            assert_eq!(t.readings().collect::<Vec<_>>(), present, "case {case}");
            assert_eq!(t.start, present[0].0);
            assert_eq!(t.end(), present.last().unwrap().0 + 900);
            assert_eq!(t.count(), present.len() as u64);
            assert!((0..t.slots()).all(|i| t.is_present(i) || t.values[i] == 0));
        }
    }
}

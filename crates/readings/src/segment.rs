//! Segments: the chunks one import writes, appended to one file, and the index that says
//! where every chunk lives.
//!
//! ```text
//! <dir>/segments/<n>.zps   encoded chunks (see `chunk`) back to back, each with its CRC
//! <dir>/index              "zeropark-readings index 1", then
//!                          "next\t<n>"                              the next segment number
//!                          "s\t<n>\t<bytes>"                        a segment and its size
//!                          "c\t<id>\t<year>\t<n>\t<offset>\t<len>"  a chunk's place
//!                          "crc32 <hex>"
//! ```
//!
//! An import writes one file and syncs it once, however many meters it touches: on the
//! file systems we run on, creating, syncing and renaming a file per meter and year cost
//! more than parsing the rows (0.4-0.7 ms a file, 4,000 of them for a year of 4,000
//! meters). A chunk that a later import changes is written again in that import's segment
//! and the index points to the new copy; the old bytes are dead. When at least half of a
//! segment is dead, the next import copies its live chunks into its own segment and drops
//! it ([`Index::compaction`]), so dead bytes stay below the live ones.

use std::collections::BTreeMap;

pub(crate) const INDEX_HEADER: &str = "zeropark-readings index 1";

/// A chunk's key: (meter id, local year).
pub(crate) type ChunkKey = (u32, i32);

/// Where a chunk is: segment number, byte offset and length of its encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub segment: u32,
    pub offset: u64,
    pub len: u32,
}

/// Every chunk kept in segments, and the segments with their sizes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Index {
    /// (meter id, local year) -> place.
    pub chunks: BTreeMap<ChunkKey, Loc>,
    /// Segment number -> bytes.
    pub segments: BTreeMap<u32, u64>,
    /// The number the next segment gets; numbers are never reused.
    pub next: u32,
}

impl Index {
    pub(crate) fn parse(text: &str) -> Result<Index, String> {
        let body = crate::files::checked_body(text)?;
        let mut lines = body.lines();
        if lines.next() != Some(INDEX_HEADER) {
            return Err("unknown index header".into());
        }
        let mut index = Index::default();
        for (i, line) in lines.enumerate() {
            let bad = || format!("line {}: {line:?}", i + 2);
            let num = |s: &str| s.parse::<u64>().map_err(|_| bad());
            match line.split('\t').collect::<Vec<_>>().as_slice() {
                ["next", n] => index.next = n.parse().map_err(|_| bad())?,
                ["s", n, bytes] => {
                    index
                        .segments
                        .insert(n.parse().map_err(|_| bad())?, num(bytes)?);
                }
                ["c", id, year, n, offset, len] => {
                    let loc = Loc {
                        segment: n.parse().map_err(|_| bad())?,
                        offset: num(offset)?,
                        len: len.parse().map_err(|_| bad())?,
                    };
                    let key = (
                        id.parse().map_err(|_| bad())?,
                        year.parse().map_err(|_| bad())?,
                    );
                    index.chunks.insert(key, loc);
                }
                _ => return Err(bad()),
            }
        }
        for ((id, year), loc) in &index.chunks {
            let size = index.segments.get(&loc.segment).copied();
            if size.is_none_or(|s| loc.offset + loc.len as u64 > s) || loc.segment >= index.next {
                return Err(format!(
                    "chunk of meter {id}, year {year} lies outside segment {}",
                    loc.segment
                ));
            }
        }
        Ok(index)
    }

    pub(crate) fn render(&self) -> String {
        use std::fmt::Write;
        let mut body = format!("{INDEX_HEADER}\nnext\t{}\n", self.next);
        for (n, bytes) in &self.segments {
            let _ = writeln!(body, "s\t{n}\t{bytes}");
        }
        for ((id, year), l) in &self.chunks {
            let _ = writeln!(
                body,
                "c\t{id}\t{year}\t{}\t{}\t{}",
                l.segment, l.offset, l.len
            );
        }
        crate::files::with_crc(body)
    }

    /// The local years of a meter's chunks, ascending.
    pub(crate) fn years(&self, id: u32) -> impl Iterator<Item = i32> + '_ {
        self.chunks
            .range((id, i32::MIN)..=(id, i32::MAX))
            .map(|((_, y), _)| *y)
    }

    /// Live bytes per segment (every segment listed, 0 when nothing in it is live).
    fn live(&self) -> BTreeMap<u32, u64> {
        let mut live: BTreeMap<u32, u64> = self.segments.keys().map(|n| (*n, 0)).collect();
        for l in self.chunks.values() {
            *live.entry(l.segment).or_default() += l.len as u64;
        }
        live
    }

    /// The segments other than `current` that are at least half dead: their live chunks
    /// are copied into `current` and they are dropped. Returns (segments to drop, chunks
    /// to copy with their places).
    pub(crate) fn compaction(&self, current: u32) -> (Vec<u32>, Vec<(ChunkKey, Loc)>) {
        let live = self.live();
        let drop: Vec<u32> = live
            .iter()
            .filter(|(n, live)| **n != current && **live * 2 <= self.segments[n])
            .map(|(n, _)| *n)
            .collect();
        let copy = self
            .chunks
            .iter()
            .filter(|(_, l)| drop.contains(&l.segment))
            .map(|(k, l)| (*k, *l))
            .collect();
        (drop, copy)
    }
}

pub(crate) fn segment_file(n: u32) -> String {
    format!("{n}.zps")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(segment: u32, offset: u64, len: u32) -> Loc {
        Loc {
            segment,
            offset,
            len,
        }
    }

    #[test]
    fn index_round_trips_and_detects_damage() {
        let mut i = Index {
            next: 3,
            ..Default::default()
        };
        i.segments.insert(1, 300);
        i.segments.insert(2, 100);
        i.chunks.insert((0, 2023), loc(1, 0, 200));
        i.chunks.insert((0, 2024), loc(2, 0, 100));
        i.chunks.insert((7, 2023), loc(1, 200, 100));
        let text = i.render();
        assert_eq!(Index::parse(&text).unwrap(), i);
        assert_eq!(i.years(0).collect::<Vec<_>>(), [2023, 2024]);
        assert_eq!(i.years(1).count(), 0);
        let e = Index::parse(&text.replace("c\t7\t2023", "c\t7\t2022")).unwrap_err();
        assert!(e.contains("checksum"), "{e}");
        // A place beyond its segment's end is refused even with a valid checksum.
        let mut beyond = i.clone();
        beyond.chunks.insert((8, 2023), loc(2, 50, 100));
        let e = Index::parse(&beyond.render()).unwrap_err();
        assert!(e.contains("outside segment 2"), "{e}");
    }

    #[test]
    fn compaction_takes_segments_at_least_half_dead() {
        let mut i = Index {
            next: 4,
            ..Default::default()
        };
        // Segment 1: 100 of 400 bytes live; 2: 300 of 400; 3 (current): all dead but kept.
        for (n, bytes) in [(1, 400), (2, 400), (3, 400)] {
            i.segments.insert(n, bytes);
        }
        i.chunks.insert((0, 2023), loc(1, 300, 100));
        i.chunks.insert((1, 2023), loc(2, 0, 300));
        let (drop, copy) = i.compaction(3);
        assert_eq!(drop, [1]);
        assert_eq!(copy, [((0, 2023), loc(1, 300, 100))]);
        // A segment with nothing live is dropped without copying.
        i.chunks.remove(&(0, 2023));
        assert_eq!(i.compaction(3), (vec![1], vec![]));
    }
}

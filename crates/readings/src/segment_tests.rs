//! The segment layout end to end: one file per import, dead bytes bounded by compaction
//! (also when an import is killed while compacting), and stores of format 1 (a chunk file
//! per meter and year) read and upgraded in place.

use crate::ReadingStore;
use crate::segment::Index;
use crate::store::Fault;
use std::path::{Path, PathBuf};

fn import(s: &mut ReadingStore, p: &Path) -> crate::ImportReport {
    crate::import_csv(s, p, &|_| true, &mut |_, _| {}).unwrap()
}

/// One reading of `kwh` on 2023-06-01 for meters `from..to`, and one in 2024.
fn file(dir: &Path, name: &str, meters: std::ops::Range<u32>, kwh: u32) -> PathBuf {
    let mut text = String::from("meter,ts,kwh\n");
    for m in meters {
        for y in [2023, 2024] {
            text += &format!("M{m},{y}-06-01T00:00:00+08:00,{kwh}\n");
        }
    }
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The kWh each of meters `0..n` holds in 2023 and 2024 (both must be equal).
fn values(store: &Path, n: u32) -> Vec<u32> {
    let s = ReadingStore::open(store).unwrap();
    (0..n)
        .map(|m| {
            let r = s.readings(&format!("M{m}"), 0, i64::MAX / 2).unwrap();
            assert_eq!(r.len(), 2, "M{m}: {r:?}");
            assert_eq!(r[0].1, r[1].1, "M{m}");
            r[0].1 / 1000
        })
        .collect()
}

fn segment_files(store: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(store.join("segments"))
        .unwrap()
        .flatten()
        .map(|e| {
            let len = e.metadata().unwrap().len();
            (e.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    v.sort();
    v
}

fn index(store: &Path) -> Index {
    Index::parse(&std::fs::read_to_string(store.join("index")).unwrap()).unwrap()
}

#[test]
fn one_segment_per_import_and_dead_bytes_stay_below_live_ones() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let mut s = ReadingStore::open(&store).unwrap();
    import(&mut s, &file(d.path(), "a.csv", 0..100, 1));
    assert_eq!(segment_files(&store).len(), 1, "400 chunks, one file");
    assert!(!store.join("chunks/0").exists(), "no chunk files");
    // Restating a quarter of the meters leaves segment 0 three quarters live: kept.
    import(&mut s, &file(d.path(), "b.csv", 0..25, 2));
    assert_eq!(segment_files(&store).len(), 2);
    // Restating 38 more makes it 37 % live: its live chunks move into the new segment
    // and it is dropped; segment 1 (meters 0-24) stays whole.
    import(&mut s, &file(d.path(), "c.csv", 25..63, 3));
    let files = segment_files(&store);
    assert_eq!(
        files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["1.zps", "2.zps"]
    );
    let mut expected = vec![2; 25];
    expected.extend([3; 38]);
    expected.extend([1; 37]);
    assert_eq!(values(&store, 100), expected);
    // Many restatements of everything: the store never holds more dead than live bytes.
    for k in 4..10 {
        import(&mut s, &file(d.path(), &format!("{k}.csv"), 0..100, k));
        let live: u64 = index(&store).chunks.values().map(|l| l.len as u64).sum();
        let on_disk: u64 = segment_files(&store).iter().map(|f| f.1).sum();
        assert!(on_disk <= 2 * live, "{k}: {on_disk} bytes for {live} live");
    }
    assert_eq!(values(&store, 100), vec![9; 100]);
    // Index and files agree after reopening.
    let i = index(&store);
    let files = segment_files(&store);
    assert_eq!(i.segments.len(), files.len());
}

#[test]
fn an_import_killed_while_compacting_rolls_forward_whole() {
    for fault in [Fault::CommitPoint, Fault::Renamed(1)] {
        let d = tempfile::tempdir().unwrap();
        let store = d.path().join("store");
        let mut s = ReadingStore::open(&store).unwrap();
        import(&mut s, &file(d.path(), "a.csv", 0..100, 1));
        import(&mut s, &file(d.path(), "b.csv", 0..40, 2));
        s.fault = Some(fault);
        // Segment 0 is 0 % live after this: dropped by the killed import.
        let e = crate::import_csv(
            &mut s,
            &file(d.path(), "c.csv", 40..100, 3),
            &|_| true,
            &mut |_, _| {},
        )
        .unwrap_err();
        assert!(e.to_string().contains("injected fault"), "{e}");
        drop(s);
        let mut expected = vec![2; 40];
        expected.extend([3; 60]);
        assert_eq!(values(&store, 100), expected, "{fault:?}");
        let names: Vec<String> = segment_files(&store).into_iter().map(|f| f.0).collect();
        assert_eq!(names, ["1.zps", "2.zps"], "{fault:?}: segment 0 is gone");
        assert!(!store.join("COMMIT").exists());
    }
}

/// Rewrites a store into format 1: a chunk file per meter and year, no segments.
fn to_format_1(store: &Path) {
    let i = index(store);
    for ((id, year), loc) in &i.chunks {
        let seg =
            std::fs::read(store.join("segments").join(format!("{}.zps", loc.segment))).unwrap();
        let dir = store.join("chunks").join(id.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = &seg[loc.offset as usize..(loc.offset + loc.len as u64) as usize];
        std::fs::write(dir.join(format!("{year}.zpr")), bytes).unwrap();
    }
    std::fs::remove_dir_all(store.join("segments")).unwrap();
    std::fs::remove_file(store.join("index")).unwrap();
    std::fs::write(store.join("FORMAT"), "zeropark-readings 1\n").unwrap();
}

#[test]
fn a_format_1_store_is_read_and_upgraded_by_its_next_import() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let mut s = ReadingStore::open(&store).unwrap();
    import(&mut s, &file(d.path(), "a.csv", 0..10, 1));
    drop(s);
    to_format_1(&store);
    assert_eq!(values(&store, 10), vec![1; 10]);
    let mut s = ReadingStore::open(&store).unwrap();
    assert_eq!(s.years("M3").unwrap(), [2023, 2024]);
    // The same file again: nothing changes, not even the format.
    let r = import(&mut s, &file(d.path(), "a.csv", 0..10, 1));
    assert_eq!((r.duplicates, r.written), (20, 0));
    assert_eq!(
        std::fs::read_to_string(store.join("FORMAT")).unwrap(),
        "zeropark-readings 1\n"
    );
    // Restating three meters writes them to a segment; their chunk files go.
    let r = import(&mut s, &file(d.path(), "b.csv", 0..3, 2));
    assert_eq!(r.restated, 6);
    assert_eq!(
        std::fs::read_to_string(store.join("FORMAT")).unwrap(),
        "zeropark-readings 2\n"
    );
    assert!(!store.join("chunks/0/2023.zpr").exists());
    assert!(store.join("chunks/3/2023.zpr").exists());
    let mut expected = vec![2; 3];
    expected.extend([1; 7]);
    assert_eq!(values(&store, 10), expected);
    assert_eq!(s.years("M0").unwrap(), [2023, 2024]);
}

//! Data parallelism over a slice with scoped threads (one per core) and dynamic work
//! sharing: no thread pool, no dependency.

use crate::error::Result;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Worker threads used by the scans: the machine's available parallelism.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Maps every item with `f`, each worker keeping its own scratch state from `init`.
/// Results come back in item order; the first error wins.
pub fn map<T, S, R, I, F>(items: &[T], init: I, f: F) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, &T) -> Result<R> + Sync,
{
    map_on(threads(), items, init, f)
}

/// Threads for file writes and syncs: they mostly wait for the disk, and the file system
/// commits concurrent syncs together.
pub const IO_THREADS: usize = 16;

/// Runs `f` on every item with [`IO_THREADS`] threads (for work that waits on I/O).
pub fn for_each_io<T: Sync>(items: &[T], f: impl Fn(&T) -> Result<()> + Sync) -> Result<()> {
    map_on(IO_THREADS, items, || (), |_, t| f(t)).map(|_| ())
}

fn map_on<T, S, R, I, F>(workers: usize, items: &[T], init: I, f: F) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    I: Fn() -> S + Sync,
    F: Fn(&mut S, &T) -> Result<R> + Sync,
{
    let workers = workers.min(items.len()).max(1);
    if workers == 1 {
        let mut s = init();
        return items.iter().map(|t| f(&mut s, t)).collect();
    }
    let next = AtomicUsize::new(0);
    let batch = (items.len() / (workers * 16)).clamp(1, 64);
    let parts: Vec<Result<Vec<(usize, R)>>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                sc.spawn(|| {
                    let mut s = init();
                    let mut out = Vec::new();
                    loop {
                        let i0 = next.fetch_add(batch, Ordering::Relaxed);
                        if i0 >= items.len() {
                            return Ok(out);
                        }
                        for (i, t) in items.iter().enumerate().skip(i0).take(batch) {
                            out.push((i, f(&mut s, t)?));
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect()
    });
    let mut all = Vec::with_capacity(items.len());
    for p in parts {
        all.extend(p?);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

/// Runs `f` on every item in parallel.
pub fn for_each<T: Sync>(items: &[T], f: impl Fn(&T) -> Result<()> + Sync) -> Result<()> {
    map(items, || (), |_, t| f(t)).map(|_| ())
}

/// Folds the items into one accumulator per worker (created by `init`); returns the
/// accumulators for the caller to combine.
pub fn fold<T, A, I, F>(items: &[T], init: I, f: F) -> Result<Vec<A>>
where
    T: Sync,
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, &T) -> Result<()> + Sync,
{
    let workers = threads().min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let batch = (items.len() / (workers * 16)).clamp(1, 64);
    let work = || -> Result<A> {
        let mut acc = init();
        loop {
            let i0 = next.fetch_add(batch, Ordering::Relaxed);
            if i0 >= items.len() {
                return Ok(acc);
            }
            for t in items.iter().skip(i0).take(batch) {
                f(&mut acc, t)?;
            }
        }
    };
    if workers == 1 {
        return Ok(vec![work()?]);
    }
    std::thread::scope(|sc| {
        let handles: Vec<_> = (0..workers).map(|_| sc.spawn(work)).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread panicked"))
            .collect()
    })
}

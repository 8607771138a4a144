//! A small pool of store connections, so concurrent requests each get their own connection
//! instead of queueing behind one lock: SQLite in WAL mode lets readers run beside a writer
//! (writers take the database lock at `BEGIN IMMEDIATE` and wait up to the busy timeout);
//! PostgreSQL serves each connection on its own backend.
//!
//! A pool over a database target opens connections on demand up to `max` and keeps them
//! for reuse; a pool over one given store (an in-memory database, tests) hands that one
//! connection to one caller at a time.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex};
use zp_store::{Store, StoreError};

pub struct StorePool {
    /// What to open more connections to; none: only the connections given.
    target: Option<String>,
    max: usize,
    state: Mutex<PoolState>,
    returned: Condvar,
}

struct PoolState {
    idle: Vec<Box<dyn Store>>,
    open: usize,
}

impl StorePool {
    /// Opens (creating and migrating if needed) the database at `target` — a SQLite path or
    /// a `postgres://` URL — and pools up to `max` connections to it.
    pub fn open(target: &str, max: usize) -> Result<StorePool, StoreError> {
        let first = zp_store::open(target)?;
        Ok(StorePool {
            target: Some(target.to_string()),
            max: max.max(1),
            state: Mutex::new(PoolState {
                idle: vec![first],
                open: 1,
            }),
            returned: Condvar::new(),
        })
    }

    /// A pool of the one connection `store`: callers take turns.
    pub fn single(store: Box<dyn Store>) -> StorePool {
        StorePool {
            target: None,
            max: 1,
            state: Mutex::new(PoolState {
                idle: vec![store],
                open: 1,
            }),
            returned: Condvar::new(),
        }
    }

    /// A connection for the caller alone until the guard is dropped; waits while all `max`
    /// are in use.
    pub fn get(&self) -> Result<PooledStore<'_>, StoreError> {
        let mut state = self.lock()?;
        loop {
            if let Some(store) = state.idle.pop() {
                return Ok(PooledStore {
                    pool: self,
                    store: Some(store),
                });
            }
            if let Some(target) = self.target.as_deref().filter(|_| state.open < self.max) {
                state.open += 1;
                drop(state);
                return match zp_store::open(target) {
                    Ok(store) => Ok(PooledStore {
                        pool: self,
                        store: Some(store),
                    }),
                    Err(e) => {
                        self.lock()?.open -= 1;
                        self.returned.notify_one();
                        Err(e)
                    }
                };
            }
            state = self
                .returned
                .wait(state)
                .map_err(|_| StoreError::Sql("store pool lock poisoned".into()))?;
        }
    }

    /// Connections open now (idle or in use).
    pub fn open_connections(&self) -> usize {
        self.state.lock().map(|s| s.open).unwrap_or(0)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, PoolState>, StoreError> {
        self.state
            .lock()
            .map_err(|_| StoreError::Sql("store pool lock poisoned".into()))
    }
}

/// A connection taken from a [`StorePool`]; back to the pool when dropped.
pub struct PooledStore<'a> {
    pool: &'a StorePool,
    store: Option<Box<dyn Store>>,
}

impl Deref for PooledStore<'_> {
    type Target = dyn Store;
    fn deref(&self) -> &(dyn Store + 'static) {
        self.store.as_deref().expect("present until dropped")
    }
}

impl DerefMut for PooledStore<'_> {
    fn deref_mut(&mut self) -> &mut (dyn Store + 'static) {
        self.store.as_deref_mut().expect("present until dropped")
    }
}

impl Drop for PooledStore<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            if let Ok(mut state) = self.pool.state.lock() {
                state.idle.push(store);
            }
            self.pool.returned.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use zp_store::Access;

    #[test]
    fn connections_are_reused_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pool.db");
        let pool = StorePool::open(db.to_str().unwrap(), 2).unwrap();
        {
            let mut a = pool.get().unwrap();
            let mut b = pool.get().unwrap();
            assert!(a.parks(&Access::All).unwrap().is_empty());
            assert!(b.parks(&Access::All).unwrap().is_empty());
            assert_eq!(pool.open_connections(), 2);
        }
        let _c = pool.get().unwrap();
        assert_eq!(pool.open_connections(), 2, "idle connections are reused");
    }

    #[test]
    fn a_third_caller_waits_for_a_returned_connection() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pool.db");
        let pool = Arc::new(StorePool::open(db.to_str().unwrap(), 1).unwrap());
        let held = pool.get().unwrap();
        let p = pool.clone();
        let waiter = std::thread::spawn(move || p.get().map(|mut s| s.parks(&Access::All).is_ok()));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!waiter.is_finished(), "the only connection is in use");
        drop(held);
        assert!(waiter.join().unwrap().unwrap());
        assert_eq!(pool.open_connections(), 1);
    }
}

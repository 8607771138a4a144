//! Store-only records: issued results (pinned factors). The shared record types live in
//! `zp_domain::records` and are re-exported here.

use serde::{Deserialize, Serialize};
use zp_factors::Pins;

pub use zp_domain::records::*;

/// An issued inventory: the factor ids it is pinned to and the figures it showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedResult {
    /// Credit code of the enterprise.
    pub scope: String,
    pub year: i32,
    pub grid_mode: String,
    pub pins: Pins,
    pub figures: serde_json::Value,
    pub issued_at: String,
    pub updated_at: String,
}

/// One import as the store receives it: the file's batch, the rows that passed
/// validation, the rows quarantined and how many rows were read.
#[derive(Debug, Clone, Copy)]
pub struct ImportRows<'a, T> {
    pub meta: &'a BatchMeta,
    pub rows: &'a [T],
    pub quarantined: &'a [Rejected],
    pub read: usize,
}

impl<'a, T> ImportRows<'a, T> {
    pub fn new(
        meta: &'a BatchMeta,
        rows: &'a [T],
        quarantined: &'a [Rejected],
        read: usize,
    ) -> Self {
        ImportRows {
            meta,
            rows,
            quarantined,
            read,
        }
    }
}

//! zeropark reports.

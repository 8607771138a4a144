//! Ingestion adapters: files become [`Table`]s (header + rows of text cells, with their line
//! numbers), tables become validated domain rows plus [`Rejected`] rows naming the row, the
//! field and the reason. Good rows are never dropped because of bad ones.
//!
//! Row numbers are 1-based lines of the file as a spreadsheet shows them: the header is row 1,
//! the first data row is row 2.

mod activity;
mod columns;
mod meters;
mod orgs;
mod table;

pub use activity::{ActivityRows, validate_activity};
pub use columns::Columns;
pub use meters::{GridHourlyRows, MeterRows, validate_grid_hourly, validate_meters};
pub use orgs::{OrgRows, validate_orgs};
pub use table::{Limits, ReadError, Table, read_table};
pub use zp_domain::records::Rejected;

//! Ingestion adapters: files become [`Table`]s (header + rows of text cells, with their line
//! numbers), tables become validated domain rows plus [`Rejected`] rows naming the row, the
//! field and the reason. Good rows are never dropped because of bad ones.
//!
//! Hostile input is refused or quarantined before it costs anything: an `.xlsx` is checked
//! by [`xlsx_guard`] (used range, inflated size, compression ratio) before calamine
//! allocates; a CSV's encoding is decided for the whole file (BOM, else UTF-8 validity, else
//! plausible GB18030), and a UTF-8 line with an invalid byte, an unclosed quote, a comma too
//! many or a control character (NUL, ANSI escape) is quarantined on its own line with its
//! reason ([`Table::check_row`], which every validator applies first).
//!
//! Row numbers are 1-based lines of the file as a spreadsheet shows them: the header is row 1,
//! the first data row is row 2.

mod activity;
mod columns;
mod meters;
mod orgs;
mod reasons;
mod table;
pub mod xlsx_guard;

pub use activity::{ActivityRows, validate_activity};
pub use columns::Columns;
pub use meters::{GridHourlyRows, MeterRows, validate_grid_hourly, validate_meters};
pub use orgs::{OrgRows, validate_orgs};
pub use reasons::REASONS_EN;
pub use table::{Limits, ReadError, RowProblem, Table, read_table};
pub use zp_domain::records::Rejected;

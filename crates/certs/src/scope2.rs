//! Certificates for market-based Scope 2 (市场法): what a consumer's retired certificates
//! cover of its grid electricity in a year, granular certificates first, then GECs, each
//! MWh covered once.

use crate::event::Consumption;
use crate::ids::BundleId;
use crate::state::{Granularity, Registry};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::CreditCode;
use zp_domain::time::local;

/// Certificate cover of one consumer's grid electricity for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketCover {
    pub year: i32,
    pub grid_electricity_wh: u64,
    /// Granular certificates cancelled for consumption hours of the year (local time).
    pub granular_retired_wh: u64,
    /// GECs cancelled for consumption months of the year.
    pub gec_retired_wh: u64,
    /// Applied first, up to the grid electricity.
    pub granular_applied_wh: u64,
    /// Applied to what granular certificates left uncovered, never the same MWh twice.
    pub gec_applied_wh: u64,
    /// Grid electricity left for the residual-mix factor.
    pub uncovered_wh: u64,
    /// Retired bundles counted, for lineage.
    pub bundles: Vec<BundleId>,
}

impl MarketCover {
    /// MWh covered by certificates: the figure the accounting engine takes as retired
    /// green certificates (carrier `GreenCertificate`, unit MWh).
    pub fn applied_mwh(&self) -> Decimal {
        Decimal::from(self.granular_applied_wh + self.gec_applied_wh) / Decimal::from(1_000_000u64)
    }
}

impl Registry {
    /// Market-based Scope 2 certificate cover of `consumer` in calendar `year`.
    pub fn market_cover(
        &self,
        consumer: &CreditCode,
        year: i32,
        grid_electricity_wh: u64,
    ) -> MarketCover {
        let (mut granular, mut gec) = (0u64, 0u64);
        let mut bundles = Vec::new();
        for b in self.retired_for(consumer) {
            let Some((_, cons, _)) = b.status.retirement() else {
                continue;
            };
            let in_year = match cons {
                Consumption::Hour { hour_start } => i32::from(local(hour_start).year()) == year,
                Consumption::Month { period } => period.year() == year,
            };
            if !in_year {
                continue;
            }
            match b.granularity() {
                Granularity::Hourly => granular += b.energy_wh,
                Granularity::Monthly => gec += b.energy_wh,
            }
            bundles.push(b.id);
        }
        let granular_applied_wh = granular.min(grid_electricity_wh);
        let gec_applied_wh = gec.min(grid_electricity_wh - granular_applied_wh);
        MarketCover {
            year,
            grid_electricity_wh,
            granular_retired_wh: granular,
            gec_retired_wh: gec,
            granular_applied_wh,
            gec_applied_wh,
            uncovered_wh: grid_electricity_wh - granular_applied_wh - gec_applied_wh,
            bundles,
        }
    }
}

//! Purchased steam's Scope 2 by enthalpy, as China's industry accounting guidelines compute
//! it: heat GJ = t x (h - h_feed) / 1000, CO2 = heat x the purchased-heat factor, with h the
//! steam's specific enthalpy from IAPWS-IF97 and h_feed that of feed water at 20 degC
//! (a catalog parameter, 83.74 kJ/kg).

use crate::model::{ActivityLine, SteamState};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use std::collections::BTreeMap;
use zp_domain::Decimal;
use zp_domain::if97;

/// Pressure, MPa absolute, of steam delivered without a stated pressure: saturated steam at
/// 1.0 MPa (h = 2777.1 kJ/kg). Every line priced with it says so in its formula.
pub const DEFAULT_STEAM_PRESSURE_MPA: Decimal = Decimal::ONE;

/// Enthalpies are kept to 0.1 J/kg: four decimals of kJ/kg, the precision of IF97's own
/// verification tables.
const ENTHALPY_DP: u32 = 4;

/// The state a line was priced at, and whether it was the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PricedState {
    pressure_mpa: Decimal,
    temperature_c: Option<Decimal>,
    defaulted: bool,
}

impl PricedState {
    pub(crate) fn of(line: &ActivityLine) -> PricedState {
        match line.steam {
            Some(SteamState {
                pressure_mpa,
                temperature_c,
            }) => PricedState {
                pressure_mpa,
                temperature_c,
                defaulted: false,
            },
            None => PricedState {
                pressure_mpa: DEFAULT_STEAM_PRESSURE_MPA,
                temperature_c: None,
                defaulted: true,
            },
        }
    }

    /// IAPWS-IF97 specific enthalpy, kJ/kg, rounded to four decimals.
    pub(crate) fn enthalpy_kj_per_kg(self) -> Result<Decimal, String> {
        let p = self
            .pressure_mpa
            .to_f64()
            .ok_or("pressure is not a finite number")?;
        let t = match self.temperature_c {
            Some(t) => Some(t.to_f64().ok_or("temperature is not a finite number")?),
            None => None,
        };
        let h = if97::steam_enthalpy_kj_per_kg(p, t).map_err(|e| e.to_string())?;
        Decimal::from_f64(h)
            .map(|d| d.round_dp(ENTHALPY_DP))
            .ok_or_else(|| format!("enthalpy {h} is not representable"))
    }

    fn describe(self) -> String {
        let p = self.pressure_mpa.normalize();
        match (self.temperature_c, self.defaulted) {
            (_, true) => format!("saturated at {p} MPa (default: no pressure given)"),
            (None, false) => format!("saturated at {p} MPa"),
            (Some(t), false) => format!("{p} MPa, {} degC", t.normalize()),
        }
    }
}

/// The steam lines' heat above feed water, GJ, and the formula's per-state terms.
pub(crate) struct SteamHeat {
    pub heat_gj: Decimal,
    pub terms: Vec<String>,
}

/// Sums `t x (h - feed) / 1000` over the lines, grouped by state for the formula.
/// `Err((line id, source, reason))` names the first line whose state IF97 cannot evaluate.
pub(crate) fn heat_above_feed_water(
    lines: &[&ActivityLine],
    tonnes: impl Fn(&ActivityLine) -> Decimal,
    feed_kj_per_kg: Decimal,
) -> Result<SteamHeat, (i64, String, String)> {
    let mut by_state: BTreeMap<PricedState, (Decimal, Decimal)> = BTreeMap::new();
    for l in lines {
        let state = PricedState::of(l);
        let h = state
            .enthalpy_kj_per_kg()
            .map_err(|e| (l.id, l.source.clone(), e))?;
        by_state.entry(state).or_insert((Decimal::ZERO, h)).0 += tonnes(l);
    }
    let mut heat_gj = Decimal::ZERO;
    let mut terms = Vec::with_capacity(by_state.len());
    for (state, (t, h)) in by_state {
        heat_gj += t * (h - feed_kj_per_kg) / Decimal::ONE_THOUSAND;
        terms.push(format!(
            "{} t {} h = {h} kJ/kg (IAPWS-IF97)",
            t.normalize(),
            state.describe()
        ));
    }
    Ok(SteamHeat { heat_gj, terms })
}

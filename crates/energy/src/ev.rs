//! EV fleets in the day-ahead plan, and their charging schedules as OCPP 2.0.1
//! `ChargingProfile` objects.
//!
//! A fleet is a group of vehicles at one site's chargers: they plug in at `arrival_hour`,
//! leave at `departure_hour` (exclusive; hours of the planned day, local time) and need
//! `energy_mwh` by then. The fleet draws at most `chargers x charger_kw`. With `v2g` the
//! fleet may also give energy back (never more than it has taken that day, never exporting
//! to the grid). Baseline ("dumb") charging starts at full power on arrival.
//!
//! A flexible load (柔性负荷: a batch process, pre-cooling, ice storage) is the same shape
//! with `flexible_load` set: `chargers` units of `charger_kw` each, energy due between the
//! earliest (`arrival_hour`) and latest (`departure_hour`) hours; it never gives energy
//! back and gets no OCPP profile.

use rust_decimal::Decimal;
use serde::Serialize;

/// One fleet of vehicles at a set of identical chargers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvFleet {
    pub name: String,
    pub chargers: u32,
    pub charger_kw: Decimal,
    pub arrival_hour: usize,
    pub departure_hour: usize,
    pub energy_mwh: Decimal,
    pub v2g: bool,
    /// A flexible load rather than vehicles: no V2G, no OCPP profile.
    pub flexible_load: bool,
}

impl EvFleet {
    /// The fleet's power limit, MW (one hour at it is that many MWh).
    pub fn power_mw(&self) -> Decimal {
        Decimal::from(self.chargers) * self.charger_kw / Decimal::ONE_THOUSAND
    }

    /// Whether hour `h` is inside the plug-in window.
    pub fn present(&self, h: usize) -> bool {
        (self.arrival_hour..self.departure_hour).contains(&h)
    }

    /// Refuses a fleet that cannot be served: an empty window, more energy than the
    /// chargers can deliver in it, a window beyond the day.
    pub fn check(&self, hours: usize) -> Result<(), String> {
        let name = &self.name;
        if self.chargers == 0 || self.charger_kw <= Decimal::ZERO {
            return Err(format!(
                "fleet {name}: chargers and charger_kw must be positive"
            ));
        }
        if self.arrival_hour >= self.departure_hour || self.departure_hour > hours {
            return Err(format!(
                "fleet {name}: arrival hour {} must come before departure hour {} within the day's {hours} hours",
                self.arrival_hour, self.departure_hour
            ));
        }
        if self.flexible_load && self.v2g {
            return Err(format!(
                "{name}: a flexible load cannot give energy back (v2g is for vehicles)"
            ));
        }
        if self.energy_mwh < Decimal::ZERO {
            return Err(format!("fleet {name}: energy_mwh may not be negative"));
        }
        let window = Decimal::from(self.departure_hour - self.arrival_hour);
        let most = self.power_mw() * window;
        if self.energy_mwh > most {
            return Err(format!(
                "fleet {name} needs {} MWh but {} charger(s) of {} kW deliver at most {most} MWh between hours {} and {}",
                self.energy_mwh,
                self.chargers,
                self.charger_kw,
                self.arrival_hour,
                self.departure_hour
            ));
        }
        Ok(())
    }

    /// Uncontrolled charging: full power from arrival until the energy is delivered.
    pub fn baseline(&self, hours: usize) -> Vec<Decimal> {
        let mut left = self.energy_mwh;
        (0..hours)
            .map(|h| {
                if !self.present(h) {
                    return Decimal::ZERO;
                }
                let now = left.min(self.power_mw());
                left -= now;
                now
            })
            .collect()
    }
}

/// A fleet's plan: MWh drawn (and, with V2G, given back) per hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FleetPlan {
    pub name: String,
    pub charge_mwh: Vec<Decimal>,
    pub discharge_mwh: Vec<Decimal>,
    pub baseline_mwh: Vec<Decimal>,
}

/// OCPP 2.0.1 `ChargingProfileType` (only the fields a day-ahead schedule needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargingProfile {
    pub id: i64,
    pub stack_level: u32,
    pub charging_profile_purpose: &'static str,
    pub charging_profile_kind: &'static str,
    pub charging_schedule: Vec<ChargingSchedule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargingSchedule {
    pub id: i64,
    /// RFC 3339 start of the planned day.
    pub start_schedule: String,
    /// Seconds.
    pub duration: i64,
    pub charging_rate_unit: &'static str,
    pub charging_schedule_period: Vec<ChargingSchedulePeriod>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChargingSchedulePeriod {
    /// Seconds from `startSchedule`.
    pub start_period: i64,
    /// Watts per charger.
    pub limit: Decimal,
}

impl FleetPlan {
    /// One `TxDefaultProfile` per fleet: each hour's limit per charger in W (the fleet's
    /// hourly MWh spread evenly over its chargers), consecutive equal hours merged. OCPP
    /// 2.0.1 cannot express discharging (V2G arrives with OCPP 2.1), so V2G hours carry the
    /// limit 0 and the discharge stays in the plan's own figures.
    pub fn ocpp_profile(&self, fleet: &EvFleet, id: i64, day_start: &str) -> ChargingProfile {
        let mut periods: Vec<ChargingSchedulePeriod> = Vec::new();
        for (h, mwh) in self.charge_mwh.iter().enumerate() {
            // MWh in one hour = MW; per charger in W.
            let limit = (*mwh * Decimal::from(1_000_000) / Decimal::from(fleet.chargers))
                .round_dp(1)
                .normalize();
            if periods.last().is_some_and(|p| p.limit == limit) {
                continue;
            }
            periods.push(ChargingSchedulePeriod {
                start_period: 3600 * h as i64,
                limit,
            });
        }
        ChargingProfile {
            id,
            stack_level: 0,
            charging_profile_purpose: "TxDefaultProfile",
            charging_profile_kind: "Absolute",
            charging_schedule: vec![ChargingSchedule {
                id,
                start_schedule: day_start.to_string(),
                duration: 3600 * self.charge_mwh.len() as i64,
                charging_rate_unit: "W",
                charging_schedule_period: periods,
            }],
        }
    }
}

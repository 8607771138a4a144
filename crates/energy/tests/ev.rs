//! EV fleets in the day-ahead plan, solved by hand: a deadline that binds, V2G across a
//! price peak, an undeliverable fleet refused, and the OCPP 2.0.1 profile's energy.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use zp_energy::*;

/// Hours with the given load and price (yuan/MWh), factor 0.5.
fn day(load: Decimal, prices: &[Decimal]) -> Vec<HourInput> {
    prices
        .iter()
        .map(|p| HourInput {
            load_mwh: load,
            pv_mwh: Decimal::ZERO,
            yuan_per_mwh: *p,
            tco2_per_mwh: dec!(0.5),
        })
        .collect()
}

fn no_battery() -> Battery {
    Battery::new(Decimal::ZERO, Decimal::ZERO, Decimal::ONE, Decimal::ZERO)
}

fn fleet(arrival: usize, departure: usize, energy: Decimal, v2g: bool) -> EvFleet {
    EvFleet {
        name: "buses".into(),
        chargers: 1,
        charger_kw: dec!(1000),
        arrival_hour: arrival,
        departure_hour: departure,
        energy_mwh: energy,
        v2g,
        flexible_load: false,
    }
}

fn run(hours: Vec<HourInput>, fleets: Vec<EvFleet>) -> Result<Plan, PlanError> {
    plan(&PlanRequest {
        hours,
        battery: no_battery(),
        objective: Objective::Cost,
        carbon_price_yuan_per_t: Decimal::ZERO,
        fleets,
        grid_cap_mw: None,
    })
}

#[test]
fn the_deadline_binds() {
    // Prices 800, 800, 400, 400; the fleet is plugged in for hours 0-2 and needs 2 MWh at
    // 1 MW. Hour 3 is cheap but after departure: 1 MWh at 400 (hour 2) + 1 MWh at 800 =
    // 1,200 yuan. Baseline charges on arrival, hours 0 and 1: 1,600 yuan.
    let p = run(
        day(Decimal::ZERO, &[dec!(800), dec!(800), dec!(400), dec!(400)]),
        vec![fleet(0, 3, dec!(2), false)],
    )
    .unwrap();
    assert_eq!(p.baseline_cost_yuan, dec!(1600));
    assert_eq!(p.plan_cost_yuan, dec!(1200));
    let f = &p.fleets[0];
    assert_eq!(f.charge_mwh[2], dec!(1));
    assert_eq!(f.charge_mwh[3], Decimal::ZERO);
    assert_eq!(f.charge_mwh.iter().sum::<Decimal>(), dec!(2));
    assert_eq!(f.baseline_mwh, vec![dec!(1), dec!(1), dec!(0), dec!(0)]);
    assert_eq!(p.hours[2].ev_charge_mwh, dec!(1));
}

#[test]
fn v2g_gives_back_across_the_peak() {
    // Load 1 MWh each hour, prices 400, 1,200, 400; the fleet needs 1 MWh net. With V2G it
    // charges 1 MWh in hour 0, gives 1 MWh back in the peak hour 1 (covering the load) and
    // charges 1 MWh again in hour 2: 2 x 400 + 0 + 2 x 400 = 1,600 yuan. Baseline: 2 x 400
    // + 1,200 + 400 = 2,400. Without V2G nothing beats charging in a 400 hour: 2,400.
    let prices = [dec!(400), dec!(1200), dec!(400)];
    let with = run(
        day(Decimal::ONE, &prices),
        vec![fleet(0, 3, Decimal::ONE, true)],
    )
    .unwrap();
    assert_eq!(with.baseline_cost_yuan, dec!(2400));
    assert_eq!(with.plan_cost_yuan, dec!(1600));
    assert_eq!(with.fleets[0].discharge_mwh[1], Decimal::ONE);
    assert_eq!(with.hours[1].grid_import_mwh, Decimal::ZERO);
    let without = run(
        day(Decimal::ONE, &prices),
        vec![fleet(0, 3, Decimal::ONE, false)],
    )
    .unwrap();
    assert_eq!(without.plan_cost_yuan, dec!(2400));
    assert_eq!(
        without.fleets[0].discharge_mwh.iter().sum::<Decimal>(),
        Decimal::ZERO
    );
}

#[test]
fn v2g_never_exports() {
    // No load at all: giving energy back could only export, so the plan cannot profit
    // from the peak and charges 1 MWh in a cheap hour.
    let prices = [dec!(400), dec!(1200), dec!(400)];
    let p = run(
        day(Decimal::ZERO, &prices),
        vec![fleet(0, 3, Decimal::ONE, true)],
    )
    .unwrap();
    assert_eq!(p.plan_cost_yuan, dec!(400));
    assert!(p.hours.iter().all(|h| h.ev_discharge_mwh.is_zero()));
}

#[test]
fn an_undeliverable_fleet_is_refused() {
    let e = run(
        day(Decimal::ZERO, &[dec!(400), dec!(400)]),
        vec![fleet(0, 2, dec!(3), false)],
    )
    .unwrap_err();
    assert!(e.to_string().contains("at most 2 MWh"), "{e}");
    let e = run(
        day(Decimal::ZERO, &[dec!(400)]),
        vec![fleet(1, 1, dec!(0), false)],
    )
    .unwrap_err();
    assert!(e.to_string().contains("must come before"), "{e}");
}

#[test]
fn the_ocpp_profile_delivers_the_planned_energy() {
    let k = EvFleet {
        chargers: 4,
        charger_kw: dec!(250),
        ..fleet(0, 3, dec!(2), false)
    };
    let p = run(
        day(Decimal::ZERO, &[dec!(800), dec!(800), dec!(400), dec!(400)]),
        vec![k.clone()],
    )
    .unwrap();
    let profile = p.fleets[0].ocpp_profile(&k, 7, "2023-07-10T00:00:00+08:00");
    let v = serde_json::to_value(&profile).unwrap();
    assert_eq!(v["chargingProfilePurpose"], "TxDefaultProfile");
    assert_eq!(v["chargingProfileKind"], "Absolute");
    let s = &v["chargingSchedule"][0];
    assert_eq!(s["chargingRateUnit"], "W");
    assert_eq!(s["duration"], 4 * 3600);
    assert_eq!(s["startSchedule"], "2023-07-10T00:00:00+08:00");
    // Energy = sum over periods of limit (W per charger) x chargers x seconds / 3.6e9.
    let periods = &profile.charging_schedule[0].charging_schedule_period;
    let mut wh = Decimal::ZERO;
    for (i, per) in periods.iter().enumerate() {
        let end = periods
            .get(i + 1)
            .map(|n| n.start_period)
            .unwrap_or(4 * 3600);
        wh += per.limit * Decimal::from(4) * Decimal::from(end - per.start_period) / dec!(3600);
    }
    assert_eq!(wh, dec!(2_000_000));
    // Hour 2 at full power: 1 MW over 4 chargers = 250,000 W each.
    assert!(
        periods
            .iter()
            .any(|x| x.start_period == 2 * 3600 && x.limit == dec!(250000))
    );
}

#[test]
fn a_flexible_load_moves_to_the_cheap_hours_and_cannot_give_back() {
    // A 1 MW batch process needing 2 MWh between hours 0 and 4; prices 800, 800, 400, 400,
    // load 3 MWh each hour. Baseline runs it on arrival (hours 0 and 1, 2 x 800 = 1600);
    // the plan in hours 2 and 3 (2 x 400 = 800): saves 800.
    let k = EvFleet {
        name: "kiln".into(),
        flexible_load: true,
        ..fleet(0, 4, dec!(2), false)
    };
    let p = run(
        day(dec!(3), &[dec!(800), dec!(800), dec!(400), dec!(400)]),
        vec![k.clone()],
    )
    .unwrap();
    assert_eq!(
        p.fleets[0].charge_mwh,
        vec![dec!(0), dec!(0), dec!(1), dec!(1)]
    );
    assert_eq!(p.savings_yuan, dec!(800));
    let v2g = EvFleet { v2g: true, ..k };
    let e = run(day(dec!(3), &[dec!(800); 4]), vec![v2g]).unwrap_err();
    assert!(
        e.to_string()
            .contains("kiln: a flexible load cannot give energy back"),
        "{e}"
    );
}

//! Properties: sums are order-independent, units do not change results, park = sum.

use proptest::prelude::*;
use zp_accounting::{ActivityLine, Options, OrgInput, aggregate, compute};
use zp_domain::{Carrier, CreditCode, Decimal, Period, Quantity, Region, Unit};
use zp_factors::{Catalog, Pins};

const CARRIERS: [Carrier; 7] = [
    Carrier::Electricity,
    Carrier::NaturalGas,
    Carrier::RawCoal,
    Carrier::Diesel,
    Carrier::Heat,
    Carrier::ElectricityOnsiteRenewable,
    Carrier::GreenCertificate,
];

fn lines() -> impl Strategy<Value = Vec<ActivityLine>> {
    prop::collection::vec(
        (0usize..CARRIERS.len(), 1u32..=12, 0i64..10_000_000, 0u32..4),
        1..25,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (c, month, mantissa, scale))| {
                let carrier = CARRIERS[c];
                let unit = if carrier == Carrier::GreenCertificate {
                    Unit::Mwh
                } else {
                    carrier.base_unit()
                };
                ActivityLine {
                    steam: None,
                    serials: None,
                    id: i as i64,
                    period: Period::new(2023, month).unwrap(),
                    carrier,
                    quantity: Quantity::new(Decimal::new(mantissa, scale), unit),
                    source: format!("p.csv:{i}"),
                }
            })
            .collect()
    })
}

fn input(lines: Vec<ActivityLine>) -> OrgInput {
    OrgInput {
        org: CreditCode::complete("91500105MA5YRE01B").unwrap(),
        name: "p".into(),
        region: Region::parse("CQ").unwrap(),
        year: 2023,
        lines,
        output_value_10k_yuan: None,
        onsite_certificates_sold_mwh: zp_domain::Decimal::ZERO,
    }
}

fn totals(i: &zp_accounting::Inventory) -> [Decimal; 5] {
    [
        i.energy_tce,
        i.scope1_tco2,
        i.scope2_location_tco2,
        i.scope2_market_tco2,
        i.electricity_mwh,
    ]
}

proptest! {
    #[test]
    fn order_of_rows_does_not_matter(ls in lines(), seed in any::<u64>()) {
        let cat = Catalog::builtin();
        let a = compute(&input(ls.clone()), &cat, &mut Pins::default(), Options::default()).unwrap();
        let mut shuffled = ls;
        // Deterministic shuffle from the seed.
        let n = shuffled.len();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let b = compute(&input(shuffled), &cat, &mut Pins::default(), Options::default()).unwrap();
        prop_assert_eq!(totals(&a), totals(&b));
    }

    #[test]
    fn expressing_electricity_in_mwh_or_wan_kwh_changes_nothing(kwh in 0i64..100_000_000) {
        let cat = Catalog::builtin();
        let mk = |q: Decimal, u: Unit| input(vec![ActivityLine { steam: None, serials: None,
            id: 1, period: Period::new(2023, 5).unwrap(), carrier: Carrier::Electricity,
            quantity: Quantity::new(q, u), source: "x".into() }]);
        let k = Decimal::from(kwh);
        let a = compute(&mk(k, Unit::Kwh), &cat, &mut Pins::default(), Options::default()).unwrap();
        let b = compute(&mk(k / Decimal::from(1000), Unit::Mwh), &cat, &mut Pins::default(), Options::default()).unwrap();
        let c = compute(&mk(k / Decimal::from(10000), Unit::WanKwh), &cat, &mut Pins::default(), Options::default()).unwrap();
        prop_assert_eq!(totals(&a), totals(&b));
        prop_assert_eq!(totals(&a), totals(&c));
    }

    #[test]
    fn park_totals_equal_member_sums_in_any_order(a in lines(), b in lines()) {
        let cat = Catalog::builtin();
        let ia = compute(&input(a), &cat, &mut Pins::default(), Options::default()).unwrap();
        let ib = compute(&input(b), &cat, &mut Pins::default(), Options::default()).unwrap();
        let p1 = aggregate("park", "P", 2023, &[ia.clone(), ib.clone()]);
        let p2 = aggregate("park", "P", 2023, &[ib.clone(), ia.clone()]);
        prop_assert_eq!(totals(&p1), totals(&p2));
        prop_assert_eq!(p1.energy_tce, ia.energy_tce + ib.energy_tce);
        prop_assert_eq!(p1.scope2_market_tco2, ia.scope2_market_tco2 + ib.scope2_market_tco2);
        prop_assert!(p1.scope2_market_tco2 >= Decimal::ZERO);
        if let Some(s) = p1.clean_electricity_share {
            prop_assert!(s >= Decimal::ZERO && s <= Decimal::ONE);
        }
    }
}

proptest! {
    /// Adding retired green certificates never raises market-based Scope 2, never changes
    /// location-based Scope 2, and never takes market Scope 2 below zero.
    #[test]
    fn market_scope2_never_rises_when_certificates_are_added(
        ls in lines(),
        month in 1u32..=12,
        mwh in 0i64..5_000_000,
    ) {
        let cat = Catalog::builtin();
        let before = compute(&input(ls.clone()), &cat, &mut Pins::default(), Options::default()).unwrap();
        let mut more = ls;
        more.push(ActivityLine { steam: None, serials: None,
            id: 10_000,
            period: Period::new(2023, month).unwrap(),
            carrier: Carrier::GreenCertificate,
            quantity: Quantity::new(Decimal::new(mwh, 1), Unit::Mwh),
            source: "certs.csv:2".into(),
        });
        let after = compute(&input(more), &cat, &mut Pins::default(), Options::default()).unwrap();
        prop_assert!(after.scope2_market_tco2 <= before.scope2_market_tco2);
        prop_assert!(after.scope2_market_tco2 >= Decimal::ZERO);
        prop_assert_eq!(after.scope2_location_tco2, before.scope2_location_tco2);
    }
}

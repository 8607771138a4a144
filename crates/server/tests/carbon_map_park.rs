//! Web-platform issue, section 4: the electricity-carbon map below province level. A park
//! is drawn as its outline (the demo park's illustrative boundary on file, the other demo
//! park's hull of its sites) with its enterprises at their sites; every level carries the
//! month-by-month figures the slider shows.

mod common;

use common::{app, enc, map_region};
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;
use zp_app::demo::{DEMO_PARK, DEMO_PARK_SC, DEMO_YEAR};

fn num(v: &Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|_| panic!("not a number: {v}"))
}

fn months(v: &Value) -> Vec<Decimal> {
    let a = v.as_array().unwrap_or_else(|| panic!("not a list: {v}"));
    assert_eq!(a.len(), 12, "{v}");
    a.iter().map(num).collect()
}

/// Even-odd rule over a closed ring of `[lon, lat]`.
fn inside(ring: &[Value], lon: f64, lat: f64) -> bool {
    let p: Vec<(f64, f64)> = ring
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    let mut r = false;
    for w in p.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) {
            r = !r;
        }
    }
    r
}

#[tokio::test]
async fn a_park_is_drawn_as_its_boundary_or_the_hull_of_its_sites_around_its_enterprises() {
    let t = app();
    let park = |name: &str| {
        let uri = format!("/api/v1/carbon-map/parks/{}?year={DEMO_YEAR}", enc(name));
        let t = &t;
        async move { t.get(Some("admin"), &uri).await.json() }
    };
    for (name, kind) in [(DEMO_PARK, "illustrative"), (DEMO_PARK_SC, "sites_hull")] {
        let p = park(name).await;
        let b = &p["boundary"];
        assert_eq!(b["kind"], kind, "{name}: {b}");
        let ring = b["ring"].as_array().unwrap();
        assert!(ring.len() >= 4, "{name}: {b}");
        assert_eq!(ring.first(), ring.last(), "closed ring");
        let orgs = p["orgs"].as_array().unwrap();
        assert!(!orgs.is_empty());
        for o in orgs {
            let (lon, lat) = (o["lon"].as_f64().unwrap(), o["lat"].as_f64().unwrap());
            assert!(inside(ring, lon, lat), "{name}: {} outside {b}", o["name"]);
        }
        if kind == "illustrative" {
            // An invented outline never passes for an official one.
            let note = b["note"].as_str().unwrap();
            assert!(note.contains("not an official boundary"), "{note}");
        } else {
            assert!(b["note"].is_null());
        }
    }
}

#[tokio::test]
async fn every_map_level_carries_the_months_the_slider_shows() {
    let t = app();
    let regions = t.map_regions().await;
    let cq = map_region(&regions, "CQ");
    let sites = t.map_demo_park().await;
    let orgs = sites["orgs"].as_array().unwrap();
    // The park admin's enterprises are all in Chongqing: the region's months are theirs.
    assert_eq!(cq["orgs"], orgs.len());
    let mut energy = vec![Decimal::ZERO; 12];
    let mut market = vec![Decimal::ZERO; 12];
    for o in orgs {
        let e = months(&o["monthly_energy_tce"]);
        // Energy adds up month by month to the year's.
        assert_eq!(
            e.iter().sum::<Decimal>(),
            num(&o["energy_tce"]),
            "{}",
            o["name"]
        );
        for (i, v) in e.iter().enumerate() {
            energy[i] += v;
        }
        for (i, v) in months(&o["monthly_emissions_market_tco2"])
            .iter()
            .enumerate()
        {
            market[i] += v;
        }
        months(&o["monthly_location_tco2"]);
    }
    assert_eq!(months(&cq["monthly_energy_tce"]), energy);
    assert_eq!(months(&cq["monthly_emissions_market_tco2"]), market);
    assert_eq!(energy.iter().sum::<Decimal>(), num(&cq["energy_tce"]));
    // The months differ, so moving the slider changes what the panel shows.
    assert_ne!(market[0], market[6], "{market:?}");
    // A region without the caller's enterprises has twelve zero months.
    let sc = map_region(&regions, "SC");
    assert!(
        months(&sc["monthly_energy_tce"])
            .iter()
            .all(|v| v.is_zero())
    );
}

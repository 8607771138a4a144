//! The abatement plan through the API (`GET /api/v1/evaluate/plan`, the JSON of
//! `zeropark evaluate plan --json`) and on the evaluations page.

mod common;

use axum::http::StatusCode;
use common::{app, enc, org_a};
use rust_decimal::Decimal;
use std::str::FromStr;
use zp_app::Access;
use zp_app::demo::{DEMO_PARK, DEMO_PARK_SC, DEMO_YEAR};
use zp_app::evaluate::PathShape;
use zp_app::evaluate::{EvaluationScope, Target};

fn dec(v: &serde_json::Value) -> Decimal {
    Decimal::from_str(&v.to_string()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn plan_uri(scope: &str, target: &str, by: i32) -> String {
    format!("/api/v1/evaluate/plan?{scope}&year={DEMO_YEAR}&target={target}&by={by}")
}

#[tokio::test]
async fn plan_api_gives_the_cli_plan_with_purchased_heat_from_the_accounts() {
    let t = app();
    let uri = plan_uri(&format!("park={}", enc(DEMO_PARK)), "0.20", DEMO_YEAR + 4);
    let r = t.get(Some("park"), &uri).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let api = r.json();
    // The same use case the CLI runs (`evaluate plan --park ... --json`), on the same store.
    let cli = t
        .store(|s| {
            let target = Target {
                year: DEMO_YEAR + 4,
                tco2_per_tce: Decimal::from_str("0.20").unwrap(),
                shape: PathShape::Linear,
                energy_growth: Decimal::ZERO,
            };
            let scope = EvaluationScope::Park(DEMO_PARK.into());
            let report =
                zp_app::evaluate::plan(s, &Access::All, &scope, DEMO_YEAR, target, None, "cli")
                    .unwrap();
            serde_json::to_value(report).unwrap()
        })
        .await;
    assert_eq!(api, cli);
    assert_eq!(api["target_year"], DEMO_YEAR + 4);
    assert_eq!(api["trajectory"].as_array().unwrap().len(), 5);
    assert_eq!(api["mac_curve"].as_array().unwrap().len(), 6);

    // The demo park buys heat and steam: the heat measure's room is that heat in GJ, the
    // park's heat and steam tCO2 in the inventory / 0.11 tCO2/GJ.
    let inv = t
        .get(
            Some("park"),
            &format!("/api/v1/inventory?park={}&year={DEMO_YEAR}", enc(DEMO_PARK)),
        )
        .await
        .json();
    let heat_tco2: Decimal = inv["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["carrier"] == "heat" || l["carrier"] == "steam")
        .map(|l| dec(&l["scope2_market_tco2"]))
        .sum();
    assert!(heat_tco2 > Decimal::ZERO, "{inv}");
    let gj = heat_tco2 / Decimal::from_str("0.11").unwrap();
    assert_eq!(dec(&api["base_purchased_heat_gj"]), gj.normalize());
    assert_eq!(
        dec(&api["heat_factor_tco2_per_gj"]),
        Decimal::from_str("0.11").unwrap()
    );
    let heat = api["mac_curve"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "heat_pump_purchased_heat")
        .expect("heat measure on the curve");
    assert_eq!(dec(&heat["units"]), (gj / Decimal::from(7200)).floor());
    assert!(dec(&heat["units"]) > Decimal::ZERO);
}

#[tokio::test]
async fn plan_api_checks_its_parameters_and_the_callers_scope() {
    let t = app();
    let own = format!("park={}", enc(DEMO_PARK));
    for (uri, status) in [
        (
            format!("/api/v1/evaluate/plan?{own}&year={DEMO_YEAR}&target=0.2"),
            StatusCode::BAD_REQUEST,
        ),
        (plan_uri(&own, "abc", 2027), StatusCode::BAD_REQUEST),
        (
            format!("/api/v1/evaluate/plan?year={DEMO_YEAR}&target=0.2&by=2027"),
            StatusCode::BAD_REQUEST,
        ),
        (
            plan_uri(&format!("park={}", enc(DEMO_PARK_SC)), "0.2", 2027),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = t.get(Some("park"), &uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text);
    }
    assert_eq!(
        t.get(None, &plan_uri(&own, "0.2", 2027)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An enterprise plans from its own accounts only: asked for its park, it gets the
    // figures of the part of the park it sees, which is itself.
    let r = t
        .get(
            Some("ent_a"),
            &plan_uri(&format!("org={}", org_a()), "0.2", 2027),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let org = r.json();
    assert_eq!(org["scope_id"], org_a());
    let park = t
        .get(Some("ent_a"), &plan_uri(&own, "0.2", 2027))
        .await
        .json();
    let whole = t
        .get(Some("park"), &plan_uri(&own, "0.2", 2027))
        .await
        .json();
    assert_eq!(park["base_energy_tce"], org["base_energy_tce"]);
    assert_eq!(park["base_emissions_tco2"], org["base_emissions_tco2"]);
    assert!(dec(&whole["base_energy_tce"]) > dec(&org["base_energy_tce"]));
    let r = t
        .get(
            Some("ent_a"),
            &plan_uri(&format!("park={}", enc(DEMO_PARK_SC)), "0.2", 2027),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = t
        .get(
            Some("park"),
            &plan_uri(
                &format!("park={}&org={}", enc(DEMO_PARK), org_a()),
                "0.2",
                2027,
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}

#[tokio::test]
async fn evaluations_page_shows_the_trajectory_the_cost_curve_and_the_portfolio() {
    let t = app();
    let uri = format!(
        "/evaluate?kind=zero-carbon-park&park={}&year={DEMO_YEAR}&target=0.20&by={}",
        enc(DEMO_PARK),
        DEMO_YEAR + 4
    );
    let page = t.get(Some("park"), &uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for needle in [
        "id=\"indicators\"",
        "id=\"trajectory\"",
        "id=\"mac-chart\"",
        "id=\"plan-portfolio\"",
        "id=\"plan-data\"",
        "/assets/evaluate.js",
    ] {
        assert!(page.text.contains(needle), "{needle} missing");
    }
    // The trajectory table has one row per year, base to target.
    let rows = page
        .text
        .split("id=\"trajectory\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap()
        .matches("<tr>")
        .count();
    assert_eq!(rows, 1 + 5);
    // The chart data carries the curve's steps and the target.
    let data = page
        .text
        .split("id=\"plan-data\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    assert_eq!(dec(&data["target"]), Decimal::from_str("0.20").unwrap());
    let steps = data["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    let costs: Vec<Decimal> = steps
        .iter()
        .map(|s| dec(&s["cost_yuan_per_tco2"]))
        .collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]), "{costs:?}");
    // Steps are laid end to end.
    for w in steps.windows(2) {
        assert_eq!(dec(&w[0]["end"]), dec(&w[1]["start"]));
    }
    assert!(page.text.contains("边际减排成本曲线"));
    // The set's reasons, the gap actions with their arithmetic and the plan's notes are
    // Chinese sentences on the Chinese page (the veto indicator by its Chinese name), and
    // the English of the API on the English page.
    for needle in [
        "否决项「单位能耗碳排放」未通过",
        "在能源消费不变的情况下每年减排",
        "排放（范围一 + 范围二，基于市场）",
        "措施效果按电网购电的市场因子",
    ] {
        assert!(page.text.contains(needle), "{needle} missing");
    }
    for english in [
        "veto indicator",
        "a year less at the same energy use",
        "effects use",
    ] {
        assert!(
            !page.text.contains(english),
            "{english} on the Chinese page"
        );
    }
    let en = t
        .send(
            axum::http::Request::get(&uri)
                .header(
                    "authorization",
                    format!("Bearer {}", common::token_of("park")),
                )
                .header("cookie", "zp_lang=en")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    for needle in [
        "Marginal abatement cost curve",
        "veto indicator carbon_intensity_of_energy failed",
        "tCO2 a year less at the same energy use",
        "effects use the market factor of grid electricity",
    ] {
        assert!(en.text.contains(needle), "{needle} missing: {}", en.text);
    }
}

//! `zeropark inclusion` end to end: the methodologies list their sources with the
//! illustrative values marked, a participant joins, an action file is imported with its bad
//! row quarantined, a year is issued into the registry once (issuing again issues
//! nothing), redemption cancels credits, refusals exit 2, and `assets verify` replays it.

mod common;

use common::{Db, d, data, num};
use serde_json::json;

/// 重庆示例水泥有限公司 of tests/data/orgs.csv.
const A: &str = "91500112MA60CEM01B";

#[test]
fn join_import_issue_once_redeem_and_verify() {
    let db = Db::new();
    db.json(&["import", "orgs", &data("orgs.csv")]);
    let m = db.json(&["inclusion", "methodologies"]);
    let illustrative: Vec<&str> = m["methodology"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["parameter"].as_array().unwrap())
        .filter(|p| p["illustrative"] == json!(true))
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        illustrative,
        [
            "ev_kwh_per_100km",
            "petrol_l_per_100km",
            "petrol_density_kg_per_l"
        ]
    );
    let join = [
        "inclusion",
        "join",
        "--participant",
        "shop",
        "--name",
        "示例小店",
        "--kind",
        "sme",
        "--org",
        A,
    ];
    assert_eq!(db.json(&join)["change"], json!("inserted"));
    assert_eq!(db.json(&join)["change"], json!("unchanged"));
    let err = db.fails(
        &[
            "inclusion",
            "join",
            "--participant",
            "x",
            "--name",
            "x",
            "--kind",
            "sme",
            "--org",
            "91500112MA60CEM01X",
        ],
        2,
    );
    assert!(err.contains("--org"), "{err}");

    let file = db.file("actions.csv");
    std::fs::write(
        &file,
        "participant,methodology,date,quantity,unit\nshop,sme-saving,2022-06-30,20000,kWh\nshop,walking,2022-06-30,1,kWh\n",
    )
    .unwrap();
    let v = db.json(&["inclusion", "import", file.to_str().unwrap()]);
    assert_eq!(
        (&v["accepted"], &v["quarantined"]),
        (&json!(1), &json!(1)),
        "{v}"
    );
    assert_eq!(v["rejected"][0]["field"], json!("methodology"));

    // 20,000 kWh x 0.5227 = 10,454 kg: 10 t, 454 kg carried; again: nothing new.
    let r = db.json(&["inclusion", "issue", "--year", "2022"]);
    assert_eq!(r["credits_t"], json!(10), "{r}");
    assert_eq!(num(&r["lines"][0]["carried_kgco2e"]), d("454"));
    let r = db.json(&["inclusion", "issue", "--year", "2022"]);
    assert_eq!(
        (&r["credits_t"], &r["already_issued"]),
        (&json!(0), &json!(1))
    );

    let err = db.fails(
        &[
            "inclusion",
            "redeem",
            "--participant",
            "shop",
            "--units",
            "11",
        ],
        2,
    );
    assert!(err.contains("10 t to redeem"), "{err}");
    let v = db.json(&[
        "inclusion",
        "redeem",
        "--participant",
        "shop",
        "--units",
        "3",
    ]);
    assert_eq!(v["vintages"], json!([[2022, 3]]));
    let a = db.json(&["inclusion", "accounts", "--participant", "shop"]);
    assert_eq!(
        (&a[0]["issued_t"], &a[0]["available_t"]),
        (&json!(10), &json!(7))
    );
    db.fails(&["inclusion", "accounts", "--participant", "nobody"], 2);
    db.ok(&["assets", "verify"]);
}

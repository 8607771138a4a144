//! Demo carbon inclusion (碳普惠, 演示): two people and a small shop of the demo park, a year
//! of monthly records (EV charging, rooftop PV self-use, electricity saved), issued. Their
//! registry account is the park's first enterprise (the demo's aggregator). Every name is
//! marked 演示 and every quantity is a demo value. Idempotent: seeded once.

use crate::inclusion::{self as uc, Participant};
use crate::{AppError, Caller};
use std::path::Path;
use zp_domain::CreditCode;
use zp_store::{Access, Store};

/// (id, name, kind, methodology, kWh per month).
const PARTICIPANTS: [(&str, &str, &str, &str, u32); 3] = [
    ("demo-ev-01", "张示例（演示）", "person", "ev-charging", 150),
    ("demo-pv-01", "李示例（演示）", "person", "pv-self-use", 900),
    (
        "demo-sme-01",
        "示例便利店（演示）",
        "sme",
        "sme-saving",
        1_500,
    ),
];

fn actions_csv(year: i32) -> String {
    let mut csv = String::from("participant,methodology,date,quantity,unit\n");
    for (id, _, _, methodology, kwh) in PARTICIPANTS {
        for month in 1..=12 {
            // A little seasonal variation, deterministic.
            let q = kwh + (month * 7 % 5) * kwh / 20;
            csv.push_str(&format!(
                "{id},{methodology},{year}-{month:02}-28,{q},kWh\n"
            ));
        }
    }
    csv
}

/// Seeds the demo participants, their records of `year` and the year's issuance, once.
pub(crate) fn seed(
    store: &mut dyn Store,
    dir: &Path,
    org: &CreditCode,
    year: i32,
    actor: &str,
) -> Result<(), AppError> {
    let op = Caller::operator(actor);
    for (id, name, kind, _, _) in PARTICIPANTS {
        let p = Participant {
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            credit_code: Some(org.clone()),
        };
        uc::join(store, &op, &p)?;
    }
    if !store
        .inclusion_actions(&Access::All, Some(year))?
        .is_empty()
    {
        return Ok(());
    }
    let path = dir.join(format!("inclusion_actions_{year}.csv"));
    std::fs::write(&path, actions_csv(year))
        .map_err(|e| AppError::Invalid(format!("{}: {e}", path.display())))?;
    let table = zp_ingest::read_table(&path, zp_ingest::Limits::default())
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    uc::import_actions(store, &op, &table)?;
    uc::issue(store, &op, year, 1_704_038_400)?;
    Ok(())
}

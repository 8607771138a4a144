//! Budget and project-register storage against SQLite and PostgreSQL (same backend setup as
//! `suite.rs`): a budget round-trips exactly, setting it again unchanged changes nothing, a
//! changed one is replaced with before and after in the audit log; assessed projects are
//! registered by name, re-assessing with a new result puts the status back to `assessed`,
//! status changes are audited and the register is filtered by the caller's access.

use rust_decimal_macros::dec;
use zp_domain::{CreditCode, Decimal, Region};
use zp_store::*;

mod common;
use common::suite;

suite!("zp_budgets"; budgets_round_trip_and_are_audited, project_register_is_scoped_and_audited);

fn code() -> CreditCode {
    CreditCode::complete("91500105MA5YRE01B").unwrap()
}

fn budget(tce: Decimal) -> Budget {
    let month = |total: Decimal| {
        let mut m = vec![(total / Decimal::from(12)).round_dp(4); 12];
        m[11] = total - m[0] * Decimal::from(11);
        m
    };
    Budget {
        scope_kind: "org".into(),
        scope: code().to_string(),
        year: 2024,
        tce,
        tco2: dec!(2500.5),
        split: "even".into(),
        monthly_tce: month(tce),
        monthly_tco2: month(dec!(2500.5)),
        updated_by: String::new(),
        updated_at: String::new(),
    }
}

fn audits(s: &mut dyn Store, entity: &str) -> Vec<AuditEntry> {
    s.audit(1000)
        .unwrap()
        .into_iter()
        .filter(|a| a.entity == entity)
        .collect()
}

fn budgets_round_trip_and_are_audited(s: &mut dyn Store) {
    let scope = BudgetScope::Org(code());
    assert_eq!(s.budget(&scope, 2024).unwrap(), None);
    let b = budget(dec!(1000));
    assert_eq!(s.set_budget(&b, "test").unwrap(), Upsert::Inserted);
    let back = s.budget(&scope, 2024).unwrap().unwrap();
    assert_eq!(
        (back.tce, back.tco2, &back.monthly_tce, &back.monthly_tco2),
        (b.tce, b.tco2, &b.monthly_tce, &b.monthly_tco2)
    );
    assert_eq!(back.monthly_tce[11], dec!(83.3337));
    assert_eq!(back.updated_by, "test");
    assert_eq!(s.set_budget(&b, "test").unwrap(), Upsert::Unchanged);
    assert_eq!(
        s.set_budget(&budget(dec!(900)), "test").unwrap(),
        Upsert::Updated
    );
    let a = audits(s, "budgets");
    assert_eq!(a.len(), 2, "insert and update, not the unchanged set");
    assert!(a[0].before.as_deref().unwrap().contains("tce=1000"));
    assert!(a[0].after.as_deref().unwrap().contains("tce=900"));
    assert_eq!(s.budget(&scope, 2023).unwrap(), None);
    assert_eq!(
        s.budget(&BudgetScope::Park(code().to_string()), 2024)
            .unwrap(),
        None
    );
    let mut short = budget(dec!(1));
    short.monthly_tce.pop();
    assert!(s.set_budget(&short, "test").is_err());
}

fn project(name: &str, region: &str, park: Option<&str>, tce: i64) -> NewAssessment {
    NewAssessment {
        name: name.into(),
        region: Region::parse(region).unwrap(),
        park: park.map(str::to_string),
        industry: "2651".into(),
        year: 2024,
        file: format!("{name}.toml"),
        sha256: "sha".into(),
        result: serde_json::json!({ "energy_tce": tce }),
    }
}

fn project_register_is_scoped_and_audited(s: &mut dyn Store) {
    let (a, ins) = s
        .save_assessment(&project("A", "CQ", Some("示例园区"), 10), "test")
        .unwrap();
    assert_eq!(ins, Upsert::Inserted);
    let (b, _) = s
        .save_assessment(&project("B", "SC", None, 20), "test")
        .unwrap();
    assert_ne!(a, b);
    let p = s
        .set_assessment_status(&Access::All, a, "approved", "节能审查意见 2024-01", "test")
        .unwrap();
    assert_eq!(
        (p.status.as_str(), p.status_note.as_str()),
        ("approved", "节能审查意见 2024-01")
    );
    // Same result again: unchanged, status kept.
    let again = s
        .save_assessment(&project("A", "CQ", Some("示例园区"), 10), "test")
        .unwrap();
    assert_eq!(again, (a, Upsert::Unchanged));
    let all = s.assessments(&Access::All).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].status, "approved");
    // A new result puts the decision back to assessed.
    let changed = s
        .save_assessment(&project("A", "CQ", Some("示例园区"), 11), "test")
        .unwrap();
    assert_eq!(changed, (a, Upsert::Updated));
    let cq = s
        .assessments(&Access::Region(Region::parse("CQ").unwrap()))
        .unwrap();
    assert_eq!(cq.len(), 1);
    assert_eq!(
        (cq[0].status.as_str(), &cq[0].result["energy_tce"]),
        ("assessed", &serde_json::json!(11))
    );
    assert_eq!(
        s.assessments(&Access::Park("示例园区".into()))
            .unwrap()
            .len(),
        1
    );
    assert!(s.assessments(&Access::Org(code())).unwrap().is_empty());
    // Not visible: not found.
    let hidden =
        s.set_assessment_status(&Access::Park("示例园区".into()), b, "rejected", "", "test");
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{hidden:?}");
    let log = audits(s, "assessed_projects");
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["update", "set-status", "insert", "insert"]
    );
    // Linking a project to the enterprise that built it: both must be visible.
    let org = Org {
        credit_code: code(),
        name: "示例企业".into(),
        region: Region::parse("CQ").unwrap(),
        park: Some("示例园区".into()),
        industry: "3971".into(),
        attrs: Default::default(),
    };
    s.upsert_org(&org, "test").unwrap();
    assert_eq!(s.assessment_link(a).unwrap(), None);
    let hidden = s.link_assessment(&Access::Park("示例园区".into()), b, &code(), "test");
    assert!(matches!(hidden, Err(StoreError::NotFound(_))), "{hidden:?}");
    let park = Access::Park("示例园区".into());
    assert_eq!(
        s.link_assessment(&park, a, &code(), "test").unwrap(),
        Upsert::Inserted
    );
    assert_eq!(
        s.link_assessment(&park, a, &code(), "test").unwrap(),
        Upsert::Unchanged
    );
    assert_eq!(s.assessment_link(a).unwrap(), Some(code()));
    let other = CreditCode::complete("91500105MA5YRE02B").unwrap();
    let unknown = s.link_assessment(&Access::All, a, &other, "test");
    assert!(
        matches!(unknown, Err(StoreError::NotFound(_))),
        "{unknown:?}"
    );
}

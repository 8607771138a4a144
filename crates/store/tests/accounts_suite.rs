//! Users, sessions, API tokens and verifier assignments on both backends (issue 22 #16:
//! they ran on SQLite only). Each test runs against SQLite and PostgreSQL; under CI a
//! missing PostgreSQL server is a failure.

use zp_domain::{CreditCode, Region};
use zp_store::*;

mod common;
use common::suite;

suite!(
    "zp_accounts";
    users_are_created_once_and_refused_with_a_kind,
    sessions_expire_end_with_the_password_and_are_purged,
    api_tokens_authenticate_until_revoked,
    verifier_assignments_and_per_actor_views,
    the_audit_log_filters_and_pages_in_sql,
);

fn new_user(name: &str, role: Role, scope: &str) -> NewUser {
    NewUser {
        username: name.into(),
        password_hash: format!("$argon2id$hash-of-{name}"),
        role,
        scope: scope.into(),
    }
}

/// `actor action entity entity_id` of the audit log, oldest first.
fn audit_lines(s: &mut dyn Store) -> Vec<String> {
    s.audit(100)
        .unwrap()
        .into_iter()
        .rev()
        .map(|a| format!("{} {} {} {}", a.actor, a.action, a.entity, a.entity_id))
        .collect()
}

fn users_are_created_once_and_refused_with_a_kind(s: &mut dyn Store) {
    let ann = s
        .create_user(&new_user("ann", Role::ParkAdmin, "一号园区"), "cli:test")
        .unwrap();
    assert_eq!(
        (
            ann.username.as_str(),
            ann.role,
            ann.scope.as_str(),
            ann.disabled
        ),
        ("ann", Role::ParkAdmin, "一号园区", false)
    );
    // Leading and trailing spaces are trimmed from the name and the scope.
    let bob = s
        .create_user(&new_user(" bob ", Role::RegionOfficer, " CQ "), "cli:test")
        .unwrap();
    assert_eq!((bob.username.as_str(), bob.scope.as_str()), ("bob", "CQ"));
    assert_ne!(ann.id, bob.id);
    match s.create_user(&new_user("ann", Role::Bank, ""), "cli:test") {
        Err(StoreError::Conflict(m)) => assert_eq!(m, "user \"ann\" already exists"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    match s.create_user(&new_user("a b", Role::Bank, ""), "cli:test") {
        Err(StoreError::Forbidden(m)) => {
            assert_eq!(m, "username \"a b\": 1 to 64 characters without spaces")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // An enterprise user's scope must be a credit code.
    assert!(matches!(
        s.create_user(
            &new_user("ent", Role::EnterpriseUser, "not a code"),
            "cli:test"
        ),
        Err(StoreError::Forbidden(_))
    ));
    let names: Vec<String> = s.users().unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["ann", "bob"]);
    let found = s.user_by_name("ann").unwrap().unwrap();
    assert_eq!(
        (found.id, found.password_hash.as_str()),
        (ann.id, "$argon2id$hash-of-ann")
    );
    assert_eq!(found.access().unwrap(), Access::Park("一号园区".into()));
    assert_eq!(
        s.user_by_name("bob").unwrap().unwrap().access().unwrap(),
        Access::Region(Region::parse("CQ").unwrap())
    );
    assert_eq!(s.user_by_name("nobody").unwrap(), None);
    assert_eq!(
        audit_lines(s),
        ["cli:test create user ann", "cli:test create user bob"]
    );
}

fn sessions_expire_end_with_the_password_and_are_purged(s: &mut dyn Store) {
    let ann = s
        .create_user(&new_user("ann", Role::PlatformAdmin, ""), "cli:test")
        .unwrap();
    s.create_session("s1", ann.id, 1_000).unwrap();
    s.create_session("s2", ann.id, 2_000).unwrap();
    // Valid while now < expires_at.
    assert_eq!(s.session_user("s1", 999).unwrap().unwrap().id, ann.id);
    assert_eq!(s.session_user("s1", 1_000).unwrap(), None);
    assert_eq!(s.session_user("unknown", 0).unwrap(), None);
    // A session token is stored once.
    assert!(matches!(
        s.create_session("s1", ann.id, 5_000),
        Err(StoreError::Conflict(_))
    ));
    // Purging at 1,000 removes s1 (expired), keeps s2.
    assert_eq!(s.purge_sessions(1_000).unwrap(), 1);
    assert_eq!(s.purge_sessions(1_000).unwrap(), 0);
    assert_eq!(s.session_user("s2", 1_500).unwrap().unwrap().id, ann.id);
    s.delete_session("s2").unwrap();
    assert_eq!(s.session_user("s2", 1_500).unwrap(), None);
    // Deleting an unknown session writes nothing.
    s.delete_session("s2").unwrap();
    // A new password ends every session of the account.
    s.create_session("s3", ann.id, 9_000).unwrap();
    s.set_password("ann", "$argon2id$new", "cli:test").unwrap();
    assert_eq!(s.session_user("s3", 1).unwrap(), None);
    assert_eq!(
        s.user_by_name("ann").unwrap().unwrap().password_hash,
        "$argon2id$new"
    );
    match s.set_password("nobody", "$argon2id$x", "cli:test") {
        Err(StoreError::NotFound(m)) => assert_eq!(m, "user \"nobody\""),
        other => panic!("expected not found, got {other:?}"),
    }
    assert_eq!(
        audit_lines(s),
        [
            "cli:test create user ann",
            "user:ann login session ann",
            "user:ann login session ann",
            "user:ann logout session ann",
            "user:ann login session ann",
            "cli:test set_password user ann",
        ]
    );
}

fn api_tokens_authenticate_until_revoked(s: &mut dyn Store) {
    let ann = s
        .create_user(&new_user("ann", Role::Bank, ""), "cli:test")
        .unwrap();
    let t = s
        .create_api_token("digest-1", ann.id, "meter gateway", "user:ann")
        .unwrap();
    assert_eq!(
        (t.user_id, t.name.as_str(), t.revoked_at.clone()),
        (ann.id, "meter gateway", None)
    );
    assert_eq!(s.api_token_user("digest-1").unwrap().unwrap().id, ann.id);
    assert_eq!(s.api_token_user("digest-2").unwrap(), None);
    // A token for an account that does not exist is refused, not stored.
    match s.create_api_token("digest-3", ann.id + 1000, "x", "cli:test") {
        Err(StoreError::NotFound(m)) => assert_eq!(m, format!("user id {}", ann.id + 1000)),
        other => panic!("expected not found, got {other:?}"),
    }
    // The same digest cannot name two tokens.
    assert!(matches!(
        s.create_api_token("digest-1", ann.id, "again", "cli:test"),
        Err(StoreError::Conflict(_))
    ));
    s.revoke_api_token(t.id, "user:ann").unwrap();
    assert_eq!(s.api_token_user("digest-1").unwrap(), None);
    match s.revoke_api_token(t.id, "user:ann") {
        Err(StoreError::NotFound(m)) => assert_eq!(m, format!("active api token {}", t.id)),
        other => panic!("expected not found, got {other:?}"),
    }
    assert_eq!(
        audit_lines(s),
        [
            "cli:test create user ann".to_string(),
            format!("user:ann create api_token ann/{}", t.id),
            format!("user:ann revoke api_token {}", t.id),
        ]
    );
    // The account's own view of the audit log: its two entries, newest first.
    let own: Vec<String> = s
        .audit_by_actor("user:ann", 10)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(own, ["revoke", "create"]);
}

fn verifier_assignments_and_per_actor_views(s: &mut dyn Store) {
    let code = CreditCode::complete("91500105MA5YRE01B").unwrap();
    s.upsert_org(
        &Org {
            credit_code: code.clone(),
            name: "企业1".into(),
            region: Region::parse("CQ").unwrap(),
            park: Some("一号园区".into()),
            industry: "3011".into(),
            attrs: Default::default(),
        },
        "cli:test",
    )
    .unwrap();
    s.create_user(&new_user("vera", Role::Verifier, ""), "cli:test")
        .unwrap();
    s.create_user(&new_user("bank", Role::Bank, ""), "cli:test")
        .unwrap();
    assert_eq!(s.verifier_orgs("vera").unwrap(), Vec::<CreditCode>::new());
    assert!(s.assign_verifier("vera", &code, "cli:test").unwrap());
    assert!(!s.assign_verifier("vera", &code, "cli:test").unwrap());
    assert_eq!(
        s.verifier_orgs("vera").unwrap(),
        std::slice::from_ref(&code)
    );
    match s.assign_verifier("bank", &code, "cli:test") {
        Err(StoreError::Forbidden(m)) => assert_eq!(m, "bank is a bank account, not a verifier"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let other = CreditCode::complete("91500105MA5YRE02B").unwrap();
    match s.assign_verifier("vera", &other, "cli:test") {
        Err(StoreError::NotFound(m)) => assert_eq!(m, format!("enterprise {other}")),
        other => panic!("expected not found, got {other:?}"),
    }
    // A bank linked to no issuer has no applicants.
    assert_eq!(s.bank_orgs("bank").unwrap(), Vec::<CreditCode>::new());
    // Each actor's view holds its own entries only, newest first (the enterprise's new park
    // was created before the enterprise).
    let mine: Vec<String> = s
        .audit_by_actor("cli:test", 10)
        .unwrap()
        .into_iter()
        .map(|a| format!("{} {}", a.action, a.entity))
        .collect();
    assert_eq!(
        mine,
        [
            "assign verifier_org",
            "create user",
            "create user",
            "create org",
            "create park"
        ]
    );
    assert_eq!(s.audit_by_actor("user:vera", 10).unwrap().len(), 0);
}

/// Issue 14 #6: the audit log filtered by who, what, object and when, paged by id.
fn the_audit_log_filters_and_pages_in_sql(s: &mut dyn Store) {
    for name in ["ann", "bob", "a_b%"] {
        s.create_user(&new_user(name, Role::Bank, ""), "cli:test")
            .unwrap();
    }
    let t = s.create_api_token("digest", 1, "tok", "user:ann").unwrap();
    s.revoke_api_token(t.id, "user:ann").unwrap();
    let all = s.audit(100).unwrap();
    assert_eq!(all.len(), 5);
    let lines = |f: AuditFilter, s: &mut dyn Store| -> Vec<String> {
        s.audit_filtered(&AuditFilter { limit: 100, ..f })
            .unwrap()
            .into_iter()
            .map(|a| format!("{} {} {} {}", a.actor, a.action, a.entity, a.entity_id))
            .collect()
    };
    // Who, what.
    assert_eq!(
        lines(
            AuditFilter {
                actor: Some("user:ann".into()),
                ..Default::default()
            },
            s
        ),
        [
            format!("user:ann revoke api_token {}", t.id),
            format!("user:ann create api_token ann/{}", t.id)
        ]
    );
    assert_eq!(
        lines(
            AuditFilter {
                action: Some("revoke".into()),
                ..Default::default()
            },
            s
        ),
        [format!("user:ann revoke api_token {}", t.id)]
    );
    // The object: the entity kind exactly, or a part of its id; LIKE's wildcards are
    // literal (`_` and `%` match only themselves).
    assert_eq!(
        lines(
            AuditFilter {
                object: Some("user".into()),
                ..Default::default()
            },
            s
        ),
        [
            "cli:test create user a_b%",
            "cli:test create user bob",
            "cli:test create user ann"
        ]
    );
    assert_eq!(
        lines(
            AuditFilter {
                object: Some("b%".into()),
                ..Default::default()
            },
            s
        ),
        ["cli:test create user a_b%"]
    );
    assert_eq!(
        lines(
            AuditFilter {
                object: Some("a_".into()),
                ..Default::default()
            },
            s
        ),
        ["cli:test create user a_b%"]
    );
    // When: every entry was written now; a window ending before now holds none.
    let now = all[0].at.clone();
    assert_eq!(
        lines(
            AuditFilter {
                from_utc: Some(now[..10].into()),
                ..Default::default()
            },
            s
        )
        .len(),
        5
    );
    assert_eq!(
        lines(
            AuditFilter {
                to_utc: Some("2000-01-01T00:00:00".into()),
                ..Default::default()
            },
            s
        ),
        Vec::<String>::new()
    );
    // Pages of two, newest first, each below the last id shown; together the whole log.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = s
            .audit_filtered(&AuditFilter {
                before_id: before,
                limit: 2,
                ..Default::default()
            })
            .unwrap();
        if page.is_empty() {
            break;
        }
        before = page.last().map(|e| e.id);
        seen.extend(page.into_iter().map(|e| e.id));
    }
    assert_eq!(seen, all.iter().map(|e| e.id).collect::<Vec<_>>());
}

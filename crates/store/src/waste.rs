//! Long because: one store module per capability (the assets, finance and accounts modules
//! do the same): four tables, their row conversions and seven transactional writes.
//!
//! Storage of hazardous waste transfers (see `zp-waste`): receivers' permits, whitelist
//! entries, applications with their two decisions, manifests. Migration `0010_waste`;
//! generators' declared wastes in [`declarations`] (migration `0015_waste_declarations`).
//!
//! Each write that depends on what is stored (remaining capacity, the application's
//! state, what was shipped) reads and writes in one transaction and asks the caller's pure
//! rule (a `zp-waste` function) in between, so two submissions cannot both take the last
//! tonnes of a permit. A refusal of the rule is returned as the inner `Err` and nothing is
//! written. Reads of applications and manifests filter by [`Access`] in SQL: a province's
//! officers see transfers leaving or entering it, an enterprise its own as generator or
//! receiver, a park those of its enterprises.

use crate::base::{audit, audit_import, audit_upsert, insert_batch, insert_quarantine};
use crate::conn::{Conn, Row, Value};
use crate::{Access, ImportCounts, ImportRows, Result, SqlStore, StoreError, Upsert, now};
use rust_decimal::Decimal;
use std::str::FromStr;
use zp_domain::time::Date;
use zp_domain::{CreditCode, Region};
mod declarations;
pub(crate) use declarations::DECLARATIONS_MIGRATION;

use zp_waste::{
    Application, ApplyContext, Check, Decision, Declaration, Load, Manifest, NewApplication,
    Permit, Planned, Purpose, Receipt, Side, Usage, WasteError, WhitelistEntry,
};

pub(crate) const WASTE_MIGRATION: &str = r#"
CREATE TABLE waste_permits (
    permit_no TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    province TEXT NOT NULL,
    codes TEXT NOT NULL,
    capacity_t TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX waste_permits_holder ON waste_permits(holder);
CREATE TABLE waste_whitelist (
    agreement TEXT NOT NULL,
    generator TEXT NOT NULL,
    receiver TEXT NOT NULL,
    from_province TEXT NOT NULL,
    to_province TEXT NOT NULL,
    codes TEXT NOT NULL,
    yearly_cap_t TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (agreement, generator, receiver)
);
CREATE TABLE waste_applications (
    id {id},
    generator TEXT NOT NULL,
    receiver TEXT NOT NULL,
    code TEXT NOT NULL,
    tonnes_t TEXT NOT NULL,
    from_province TEXT NOT NULL,
    to_province TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    year BIGINT NOT NULL,
    planned_to TEXT NOT NULL,
    transport TEXT NOT NULL,
    purpose TEXT NOT NULL,
    permit_no TEXT NOT NULL,
    whitelisted BIGINT NOT NULL,
    whitelist_agreement TEXT,
    due_on TEXT NOT NULL,
    checks TEXT NOT NULL,
    export_approved BIGINT,
    export_reason TEXT,
    export_on TEXT,
    export_actor TEXT,
    import_approved BIGINT,
    import_reason TEXT,
    import_on TEXT,
    import_actor TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX waste_applications_year ON waste_applications(year, receiver);
CREATE INDEX waste_applications_generator ON waste_applications(generator, year);
CREATE TABLE waste_manifests (
    id {id},
    application_id BIGINT NOT NULL REFERENCES waste_applications(id),
    shipped_t TEXT NOT NULL,
    shipped_on TEXT NOT NULL,
    transporters TEXT NOT NULL,
    received_t TEXT,
    received_on TEXT,
    discrepancy BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX waste_manifests_application ON waste_manifests(application_id);
"#;

/// A shipment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewManifest {
    pub shipped_t: Decimal,
    pub shipped_on: Date,
    pub transporters: Vec<String>,
}

/// A write's result: the outer `Err` is the database, the inner one the rule's refusal.
pub type Ruled<T> = Result<std::result::Result<T, WasteError>>;

/// The rule a shipment must pass, given the application and its manifests so far.
pub type ShipmentRule<'a> =
    &'a dyn Fn(&Application, &[Manifest]) -> std::result::Result<(), WasteError>;

pub trait WasteStore {
    /// Stores validated permit rows (new, changed or unchanged) and the quarantined rows.
    fn import_waste_permits(&mut self, import: ImportRows<'_, Permit>) -> Result<ImportCounts>;
    /// Stores validated whitelist rows and the quarantined rows.
    fn import_waste_whitelist(
        &mut self,
        import: ImportRows<'_, WhitelistEntry>,
    ) -> Result<ImportCounts>;
    /// Stores validated declaration rows (key: generator, code, year) and the quarantined
    /// rows.
    fn import_waste_declarations(
        &mut self,
        import: ImportRows<'_, Declaration>,
    ) -> Result<ImportCounts>;
    fn waste_permits(&mut self) -> Result<Vec<Permit>>;
    fn waste_whitelist(&mut self) -> Result<Vec<WhitelistEntry>>;
    /// Every generator's declarations, by generator, year and code.
    fn waste_declarations(&mut self) -> Result<Vec<Declaration>>;
    /// Reads the receiver's permits, the pair's whitelist entries, the generator's
    /// declarations of the year (none if no declaration was ever imported) and the year's
    /// applications of the receiver or the generator, asks `plan`, and stores the
    /// application if it agrees, all in one transaction.
    fn submit_waste_application(
        &mut self,
        req: &NewApplication,
        plan: &dyn Fn(&ApplyContext) -> std::result::Result<Planned, WasteError>,
        actor: &str,
    ) -> Ruled<Application>;
    /// One application, if `access` sees it.
    fn waste_application(&mut self, access: &Access, id: i64) -> Result<Option<Application>>;
    /// The applications `access` sees, optionally of one submission year.
    fn waste_applications(
        &mut self,
        access: &Access,
        year: Option<i32>,
    ) -> Result<Vec<Application>>;
    /// Records one province's decision if `rule` agrees with the stored state.
    fn decide_waste_application(
        &mut self,
        id: i64,
        side: Side,
        rule: &dyn Fn(&Application) -> std::result::Result<Decision, WasteError>,
        actor: &str,
    ) -> Ruled<Application>;
    /// Records a shipment if `rule` agrees given the application and its manifests.
    fn ship_waste_manifest(
        &mut self,
        application_id: i64,
        new: &NewManifest,
        rule: ShipmentRule<'_>,
        actor: &str,
    ) -> Ruled<Manifest>;
    /// Records the receiver's signature with the weight `rule` computed.
    fn receive_waste_manifest(
        &mut self,
        manifest_id: i64,
        rule: &dyn Fn(&Manifest) -> std::result::Result<Receipt, WasteError>,
        actor: &str,
    ) -> Ruled<Manifest>;
    /// Manifests of the applications `access` sees (of one application if given).
    fn waste_manifests(
        &mut self,
        access: &Access,
        application_id: Option<i64>,
    ) -> Result<Vec<Manifest>>;
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn dec(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| corrupt(&format!("decimal {s:?}"), e))
}

fn date(s: &str) -> Result<Date> {
    Date::from_str(s).map_err(|e| corrupt(&format!("date {s:?}"), e))
}

fn code(s: &str) -> Result<CreditCode> {
    CreditCode::parse(s).map_err(|e| corrupt(&format!("credit code {s:?}"), e))
}

fn region(s: &str) -> Result<Region> {
    Region::parse(s).map_err(|e| corrupt("region", e))
}

fn codes(s: &str) -> Vec<String> {
    s.split(';')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn t(d: Decimal) -> String {
    d.normalize().to_string()
}

const PERMIT_COLS: &str =
    "permit_no, holder, province, codes, capacity_t, valid_from, valid_to, source";

fn permit_of(r: &Row) -> Result<Permit> {
    Ok(Permit {
        permit_no: r.text(0),
        holder: code(&r.text(1))?,
        province: region(&r.text(2))?,
        codes: codes(&r.text(3)),
        capacity_t: dec(&r.text(4))?,
        valid_from: date(&r.text(5))?,
        valid_to: date(&r.text(6))?,
        source: r.text(7),
    })
}

fn permit_values(p: &Permit) -> Vec<Value> {
    vec![
        p.permit_no.as_str().into(),
        p.holder.as_str().into(),
        p.province.code().into(),
        p.codes.join(";").into(),
        t(p.capacity_t).into(),
        p.valid_from.to_string().into(),
        p.valid_to.to_string().into(),
        p.source.as_str().into(),
    ]
}

const WHITELIST_COLS: &str = "agreement, generator, receiver, from_province, to_province, codes, yearly_cap_t, valid_from, valid_to, source";

fn whitelist_of(r: &Row) -> Result<WhitelistEntry> {
    Ok(WhitelistEntry {
        agreement: r.text(0),
        generator: code(&r.text(1))?,
        receiver: code(&r.text(2))?,
        from_province: region(&r.text(3))?,
        to_province: region(&r.text(4))?,
        codes: codes(&r.text(5)),
        yearly_cap_t: dec(&r.text(6))?,
        valid_from: date(&r.text(7))?,
        valid_to: date(&r.text(8))?,
        source: r.text(9),
    })
}

fn whitelist_values(e: &WhitelistEntry) -> Vec<Value> {
    vec![
        e.agreement.as_str().into(),
        e.generator.as_str().into(),
        e.receiver.as_str().into(),
        e.from_province.code().into(),
        e.to_province.code().into(),
        e.codes.join(";").into(),
        t(e.yearly_cap_t).into(),
        e.valid_from.to_string().into(),
        e.valid_to.to_string().into(),
        e.source.as_str().into(),
    ]
}

const APP_COLS: &str = "a.id, a.generator, a.receiver, a.code, a.tonnes_t, a.from_province, a.to_province, \
    a.submitted_on, a.planned_to, a.transport, a.purpose, a.permit_no, a.whitelisted, a.whitelist_agreement, \
    a.due_on, a.checks, a.export_approved, a.export_reason, a.export_on, a.export_actor, \
    a.import_approved, a.import_reason, a.import_on, a.import_actor";

fn decision_of(r: &Row, i: usize) -> Result<Option<Decision>> {
    let Some(approved) = r.opt_int(i) else {
        return Ok(None);
    };
    Ok(Some(Decision {
        approved: approved != 0,
        reason: r.opt_text(i + 1),
        on: date(&r.text(i + 2))?,
        actor: r.text(i + 3),
    }))
}

fn app_of(r: &Row) -> Result<Application> {
    let checks: Vec<Check> = serde_json::from_str(&r.text(15)).map_err(|e| corrupt("checks", e))?;
    Ok(Application {
        id: r.int(0),
        generator: code(&r.text(1))?,
        receiver: code(&r.text(2))?,
        code: r.text(3),
        tonnes_t: dec(&r.text(4))?,
        from_province: region(&r.text(5))?,
        to_province: region(&r.text(6))?,
        submitted_on: date(&r.text(7))?,
        planned_to: date(&r.text(8))?,
        transport: r.text(9),
        purpose: Purpose::parse(&r.text(10)).map_err(|e| corrupt("purpose", e))?,
        permit_no: r.text(11),
        whitelisted: r.int(12) != 0,
        whitelist_agreement: r.opt_text(13),
        due_on: date(&r.text(14))?,
        checks,
        export: decision_of(r, 16)?,
        import: decision_of(r, 20)?,
    })
}

const MANIFEST_COLS: &str = "m.id, m.application_id, m.shipped_t, m.shipped_on, m.transporters, m.received_t, m.received_on, m.discrepancy";

fn manifest_of(r: &Row) -> Result<Manifest> {
    Ok(Manifest {
        id: r.int(0),
        application_id: r.int(1),
        shipped_t: dec(&r.text(2))?,
        shipped_on: date(&r.text(3))?,
        transporters: serde_json::from_str(&r.text(4)).map_err(|e| corrupt("transporters", e))?,
        received_t: r.opt_text(5).map(|s| dec(&s)).transpose()?,
        received_on: r.opt_text(6).map(|s| date(&s)).transpose()?,
        discrepancy: r.int(7) != 0,
    })
}

/// The SQL condition on application alias `a` for `access`, its parameters numbered from
/// `$first`.
fn access_sql(access: &Access, first: usize) -> (String, Vec<Value>) {
    match access {
        Access::All => ("1 = 1".into(), vec![]),
        Access::Region(r) => (
            format!("(a.from_province = ${first} OR a.to_province = ${first})"),
            vec![r.code().into()],
        ),
        Access::Org(c) => (
            format!("(a.generator = ${first} OR a.receiver = ${first})"),
            vec![c.as_str().into()],
        ),
        Access::Park(p) => (
            format!(
                "(a.generator IN (SELECT o.credit_code FROM orgs o JOIN parks k ON o.park_id = k.id WHERE k.name = ${first}) \
                 OR a.receiver IN (SELECT o.credit_code FROM orgs o JOIN parks k ON o.park_id = k.id WHERE k.name = ${first}))"
            ),
            vec![p.as_str().into()],
        ),
    }
}

fn apps_where(c: &mut dyn Conn, cond: &str, params: &[Value]) -> Result<Vec<Application>> {
    c.query(
        &format!("SELECT {APP_COLS} FROM waste_applications a WHERE {cond} ORDER BY a.id"),
        params,
    )?
    .iter()
    .map(app_of)
    .collect()
}

fn manifests_where(c: &mut dyn Conn, cond: &str, params: &[Value]) -> Result<Vec<Manifest>> {
    c.query(
        &format!(
            "SELECT {MANIFEST_COLS} FROM waste_manifests m JOIN waste_applications a ON a.id = m.application_id \
             WHERE {cond} ORDER BY m.id"
        ),
        params,
    )?
    .iter()
    .map(manifest_of)
    .collect()
}

fn app_by_id(c: &mut dyn Conn, id: i64) -> Result<Application> {
    apps_where(c, "a.id = $1", &[id.into()])?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("waste application {id}")))
}

/// A reference table an import upserts: its name, its columns (those `*_values` writes)
/// and how many of the first columns are its key.
struct RefTable {
    name: &'static str,
    cols: &'static str,
    key_cols: usize,
}

const PERMITS: RefTable = RefTable {
    name: "waste_permits",
    cols: PERMIT_COLS,
    key_cols: 1,
};

const WHITELIST: RefTable = RefTable {
    name: "waste_whitelist",
    cols: WHITELIST_COLS,
    key_cols: 3,
};

/// Imports rows keyed by the table's key columns (the first values of each row): new
/// rows insert, changed rows update with their before/after in the audit log, equal rows
/// count as duplicates.
fn import_rows<T>(
    c: &mut dyn Conn,
    t: &RefTable,
    import: ImportRows<'_, T>,
    values_of: fn(&T) -> Vec<Value>,
) -> Result<ImportCounts> {
    let (meta, quarantined) = (import.meta, import.quarantined);
    let rows: Vec<Vec<Value>> = import.rows.iter().map(values_of).collect();
    let (table, cols, key_cols) = (t.name, t.cols, t.key_cols);
    let mut counts = ImportCounts::of(import.read, quarantined.len());
    let col_names: Vec<&str> = cols.split(',').map(str::trim).collect();
    let key_cond: Vec<String> = (0..key_cols)
        .map(|i| format!("{} = ${}", col_names[i], i + 1))
        .collect();
    let select = format!(
        "SELECT {cols} FROM {table} WHERE {}",
        key_cond.join(" AND ")
    );
    let placeholders: Vec<String> = (1..=col_names.len() + 1).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({cols}, updated_at) VALUES ({})",
        placeholders.join(", ")
    );
    let sets: Vec<String> = col_names
        .iter()
        .enumerate()
        .skip(key_cols)
        .map(|(i, n)| format!("{n} = ${}", i + 1))
        .collect();
    let update = format!(
        "UPDATE {table} SET {}, updated_at = ${} WHERE {}",
        sets.join(", "),
        col_names.len() + 1,
        key_cond.join(" AND ")
    );
    let batch = insert_batch(c, meta, &counts)?;
    for values in &rows {
        let key: Vec<String> = values[..key_cols]
            .iter()
            .map(|v| match v {
                Value::Text(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        let current = c.query(&select, &values[..key_cols])?;
        let mut params = values.clone();
        params.push(now().into());
        let before = current.first().map(|r| r.0.clone());
        let upsert = match before {
            Some(b) if b == *values => Upsert::Unchanged,
            Some(_) => {
                c.execute(&update, &params)?;
                Upsert::Updated
            }
            None => {
                c.execute(&insert, &params)?;
                Upsert::Inserted
            }
        };
        counts.tally(upsert);
        if upsert != Upsert::Unchanged {
            let show = |v: &[Value]| format!("{v:?}");
            audit_upsert(
                c,
                &meta.actor,
                upsert,
                table,
                &key.join("/"),
                current.first().map(|r| show(&r.0)),
                Some(show(values)),
            )?;
        }
    }
    crate::base::update_batch_counts(c, batch, &counts)?;
    insert_quarantine(c, batch, meta, quarantined)?;
    audit_import(c, meta, &counts)?;
    Ok(counts)
}

fn decision_cols(side: Side) -> &'static str {
    match side {
        Side::Export => {
            "export_approved = $1, export_reason = $2, export_on = $3, export_actor = $4"
        }
        Side::Import => {
            "import_approved = $1, import_reason = $2, import_on = $3, import_actor = $4"
        }
    }
}

impl<C: Conn> WasteStore for SqlStore<C> {
    fn import_waste_permits(&mut self, import: ImportRows<'_, Permit>) -> Result<ImportCounts> {
        self.transaction(|c| import_rows(c, &PERMITS, import, permit_values))
    }

    fn import_waste_whitelist(
        &mut self,
        import: ImportRows<'_, WhitelistEntry>,
    ) -> Result<ImportCounts> {
        self.transaction(|c| import_rows(c, &WHITELIST, import, whitelist_values))
    }

    fn import_waste_declarations(
        &mut self,
        import: ImportRows<'_, Declaration>,
    ) -> Result<ImportCounts> {
        self.transaction(|c| declarations::import(c, import))
    }

    fn waste_declarations(&mut self) -> Result<Vec<Declaration>> {
        declarations::all(self.conn())
    }

    fn waste_permits(&mut self) -> Result<Vec<Permit>> {
        let rows = self.conn().query(
            &format!("SELECT {PERMIT_COLS} FROM waste_permits ORDER BY permit_no"),
            &[],
        )?;
        rows.iter().map(permit_of).collect()
    }

    fn waste_whitelist(&mut self) -> Result<Vec<WhitelistEntry>> {
        let rows = self.conn().query(
            &format!(
                "SELECT {WHITELIST_COLS} FROM waste_whitelist ORDER BY agreement, generator, receiver"
            ),
            &[],
        )?;
        rows.iter().map(whitelist_of).collect()
    }

    fn submit_waste_application(
        &mut self,
        req: &NewApplication,
        plan: &dyn Fn(&ApplyContext) -> std::result::Result<Planned, WasteError>,
        actor: &str,
    ) -> Ruled<Application> {
        self.transaction(|c| {
            if c.dialect() == crate::Dialect::Postgres {
                // Serialise submissions: the capacity read below must not go stale.
                c.batch("LOCK TABLE waste_applications IN EXCLUSIVE MODE")?;
            }
            let year = i64::from(req.submitted_on.year());
            let permits = c
                .query(
                    &format!("SELECT {PERMIT_COLS} FROM waste_permits WHERE holder = $1 ORDER BY permit_no"),
                    &[req.receiver.as_str().into()],
                )?
                .iter()
                .map(permit_of)
                .collect::<Result<Vec<_>>>()?;
            let whitelist = c
                .query(
                    &format!(
                        "SELECT {WHITELIST_COLS} FROM waste_whitelist WHERE generator = $1 AND receiver = $2 ORDER BY agreement"
                    ),
                    &[req.generator.as_str().into(), req.receiver.as_str().into()],
                )?
                .iter()
                .map(whitelist_of)
                .collect::<Result<Vec<_>>>()?;
            let apps = apps_where(
                c,
                "a.year = $1 AND (a.receiver = $2 OR a.generator = $3)",
                &[year.into(), req.receiver.as_str().into(), req.generator.as_str().into()],
            )?;
            let manifests = manifests_where(
                c,
                "a.year = $1 AND (a.receiver = $2 OR a.generator = $3)",
                &[year.into(), req.receiver.as_str().into(), req.generator.as_str().into()],
            )?;
            let loads = apps
                .iter()
                .map(|a| {
                    let received: Vec<&Manifest> = manifests
                        .iter()
                        .filter(|m| m.application_id == a.id && m.received_t.is_some())
                        .collect();
                    Load {
                        permit_no: a.permit_no.clone(),
                        code: a.code.clone(),
                        whitelist_agreement: a.whitelist_agreement.clone(),
                        generator: a.generator.clone(),
                        receiver: a.receiver.clone(),
                        usage: Usage {
                            tonnes_t: a.tonnes_t,
                            received_t: received.iter().filter_map(|m| m.received_t).sum(),
                            received_shipped_t: received.iter().map(|m| m.shipped_t).sum(),
                            rejected: a.status() == zp_waste::Status::Rejected,
                        },
                    }
                })
                .collect();
            let declarations = declarations::for_submission(c, &req.generator, year)?;
            let ctx = ApplyContext {
                permits,
                whitelist,
                loads,
                declarations,
            };
            let planned = match plan(&ctx) {
                Ok(p) => p,
                Err(e) => return Ok(Err(e)),
            };
            let checks = serde_json::to_string(&planned.checks).map_err(|e| corrupt("checks", e))?;
            let id = c.query(
                "INSERT INTO waste_applications (generator, receiver, code, tonnes_t, from_province, to_province, \
                 submitted_on, year, planned_to, transport, purpose, permit_no, whitelisted, whitelist_agreement, \
                 due_on, checks, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
                &[
                    req.generator.as_str().into(),
                    req.receiver.as_str().into(),
                    req.code.as_str().into(),
                    t(req.tonnes_t).into(),
                    req.from_province.code().into(),
                    req.to_province.code().into(),
                    req.submitted_on.to_string().into(),
                    year.into(),
                    planned.planned_to.to_string().into(),
                    req.transport.as_str().into(),
                    req.purpose.as_str().into(),
                    planned.permit_no.as_str().into(),
                    i64::from(planned.whitelisted).into(),
                    planned.whitelist_agreement.clone().into(),
                    planned.due_on.to_string().into(),
                    checks.into(),
                    now().into(),
                ],
            )?[0]
                .int(0);
            let app = app_by_id(c, id)?;
            audit(
                c,
                actor,
                "submit",
                "waste_application",
                &id.to_string(),
                None,
                Some(format!(
                    "{} t {} {} -> {} {} -> {}; whitelisted {}; due {}",
                    app.tonnes_t,
                    app.code,
                    app.generator,
                    app.receiver,
                    app.from_province.code(),
                    app.to_province.code(),
                    app.whitelisted,
                    app.due_on
                )),
            )?;
            Ok(Ok(app))
        })
    }

    fn waste_application(&mut self, access: &Access, id: i64) -> Result<Option<Application>> {
        let (cond, mut params) = access_sql(access, 2);
        params.insert(0, id.into());
        Ok(apps_where(self.conn(), &format!("a.id = $1 AND {cond}"), &params)?.pop())
    }

    fn waste_applications(
        &mut self,
        access: &Access,
        year: Option<i32>,
    ) -> Result<Vec<Application>> {
        let Some(year) = year else {
            let (cond, params) = access_sql(access, 1);
            return apps_where(self.conn(), &cond, &params);
        };
        let (cond, mut params) = access_sql(access, 2);
        params.insert(0, i64::from(year).into());
        apps_where(self.conn(), &format!("a.year = $1 AND {cond}"), &params)
    }

    fn decide_waste_application(
        &mut self,
        id: i64,
        side: Side,
        rule: &dyn Fn(&Application) -> std::result::Result<Decision, WasteError>,
        actor: &str,
    ) -> Ruled<Application> {
        self.transaction(|c| {
            let app = app_by_id(c, id)?;
            let d = match rule(&app) {
                Ok(d) => d,
                Err(e) => return Ok(Err(e)),
            };
            c.execute(
                &format!(
                    "UPDATE waste_applications SET {} WHERE id = $5",
                    decision_cols(side)
                ),
                &[
                    i64::from(d.approved).into(),
                    d.reason.clone().into(),
                    d.on.to_string().into(),
                    d.actor.as_str().into(),
                    id.into(),
                ],
            )?;
            let after = app_by_id(c, id)?;
            audit(
                c,
                actor,
                if d.approved { "approve" } else { "reject" },
                "waste_application",
                &id.to_string(),
                Some(app.status().as_str().into()),
                Some(format!(
                    "{} side {} on {}{}; status {}",
                    side.as_str(),
                    if d.approved { "approved" } else { "rejected" },
                    d.on,
                    d.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default(),
                    after.status().as_str()
                )),
            )?;
            Ok(Ok(after))
        })
    }

    fn ship_waste_manifest(
        &mut self,
        application_id: i64,
        new: &NewManifest,
        rule: ShipmentRule<'_>,
        actor: &str,
    ) -> Ruled<Manifest> {
        self.transaction(|c| {
            let app = app_by_id(c, application_id)?;
            let existing = manifests_where(c, "a.id = $1", &[application_id.into()])?;
            if let Err(e) = rule(&app, &existing) {
                return Ok(Err(e));
            }
            let transporters =
                serde_json::to_string(&new.transporters).map_err(|e| corrupt("transporters", e))?;
            let id = c.query(
                "INSERT INTO waste_manifests (application_id, shipped_t, shipped_on, transporters, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[
                    application_id.into(),
                    t(new.shipped_t).into(),
                    new.shipped_on.to_string().into(),
                    transporters.into(),
                    now().into(),
                ],
            )?[0]
                .int(0);
            audit(
                c,
                actor,
                "ship",
                "waste_manifest",
                &id.to_string(),
                None,
                Some(format!(
                    "application {application_id}: {} t shipped {} by {}",
                    new.shipped_t,
                    new.shipped_on,
                    new.transporters.join(" -> ")
                )),
            )?;
            manifests_where(c, "m.id = $1", &[id.into()])?
                .pop()
                .ok_or_else(|| StoreError::NotFound(format!("manifest {id}")))
                .map(Ok)
        })
    }

    fn receive_waste_manifest(
        &mut self,
        manifest_id: i64,
        rule: &dyn Fn(&Manifest) -> std::result::Result<Receipt, WasteError>,
        actor: &str,
    ) -> Ruled<Manifest> {
        self.transaction(|c| {
            let m = manifests_where(c, "m.id = $1", &[manifest_id.into()])?
                .pop()
                .ok_or_else(|| StoreError::NotFound(format!("manifest {manifest_id}")))?;
            let r = match rule(&m) {
                Ok(r) => r,
                Err(e) => return Ok(Err(e)),
            };
            c.execute(
                "UPDATE waste_manifests SET received_t = $1, received_on = $2, discrepancy = $3 WHERE id = $4",
                &[
                    t(r.received_t).into(),
                    r.received_on.to_string().into(),
                    i64::from(r.discrepancy).into(),
                    manifest_id.into(),
                ],
            )?;
            audit(
                c,
                actor,
                "receive",
                "waste_manifest",
                &manifest_id.to_string(),
                Some(format!("{} t shipped {}", m.shipped_t, m.shipped_on)),
                Some(format!(
                    "{} t received {} (difference {} t{})",
                    r.received_t,
                    r.received_on,
                    r.difference_t,
                    if r.discrepancy { ", discrepancy" } else { "" }
                )),
            )?;
            manifests_where(c, "m.id = $1", &[manifest_id.into()])?
                .pop()
                .ok_or_else(|| StoreError::NotFound(format!("manifest {manifest_id}")))
                .map(Ok)
        })
    }

    fn waste_manifests(
        &mut self,
        access: &Access,
        application_id: Option<i64>,
    ) -> Result<Vec<Manifest>> {
        let Some(id) = application_id else {
            let (cond, params) = access_sql(access, 1);
            return manifests_where(self.conn(), &cond, &params);
        };
        let (cond, mut params) = access_sql(access, 2);
        params.insert(0, id.into());
        manifests_where(self.conn(), &format!("a.id = $1 AND {cond}"), &params)
    }
}

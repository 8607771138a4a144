//! Storage of buildings (a site that is a building: type, floor area, climate zone, star
//! rating) and of the civil-building energy standard's values per type and climate zone
//! (GB/T 51161 constraint and guide values, imported with their source). Migration
//! `0017_buildings`. Both are keyed upserts: the same values again change nothing; other
//! values replace them with before and after in the audit log.

use crate::base::{audit_upsert, dec, org_condition, parse_dec, write_row};
use crate::conn::{Conn, Row};
use crate::{Access, Result, SqlStore, StoreError, Upsert, now};
use rust_decimal::Decimal;
use serde::Serialize;
use zp_domain::CreditCode;

pub(crate) const BUILDINGS_MIGRATION: &str = r#"
CREATE TABLE buildings (
    site TEXT PRIMARY KEY,
    credit_code TEXT NOT NULL REFERENCES orgs(credit_code),
    kind TEXT NOT NULL,
    floor_area_m2 TEXT NOT NULL,
    climate_zone TEXT NOT NULL,
    stars BIGINT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX buildings_org ON buildings(credit_code);
CREATE TABLE building_standards (
    kind TEXT NOT NULL,
    climate_zone TEXT NOT NULL,
    constraint_kwh_per_m2 TEXT NOT NULL,
    guide_kwh_per_m2 TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, climate_zone)
);
"#;

/// A building: the site (its meters' `site` and its ledger rows' `site`) of an enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Building {
    /// The site's name, unique among buildings.
    pub site: String,
    pub credit_code: CreditCode,
    /// `office`, `hotel`, `shopping_centre`, `school`, `hospital` or `data_centre`.
    pub kind: String,
    pub floor_area_m2: Decimal,
    /// `severe_cold`, `cold`, `hot_summer_cold_winter`, `hot_summer_warm_winter`, `mild`.
    pub climate_zone: String,
    /// Green-building star rating (绿色建筑星级, 1-3), if rated.
    pub stars: Option<u8>,
    /// Set by the store.
    pub updated_by: String,
    pub updated_at: String,
}

/// The standard's values for one building type and climate zone, with their source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuildingStandard {
    pub kind: String,
    pub climate_zone: String,
    pub constraint_kwh_per_m2: Decimal,
    pub guide_kwh_per_m2: Decimal,
    pub source: String,
}

pub trait BuildingStore {
    /// Stores a building (audited); the enterprise must exist.
    fn set_building(&mut self, b: &Building, actor: &str) -> Result<Upsert>;
    /// The buildings `access` may see, by site.
    fn buildings(&mut self, access: &Access) -> Result<Vec<Building>>;
    /// One building, if `access` may see it.
    fn building(&mut self, access: &Access, site: &str) -> Result<Option<Building>>;
    /// Stores the values of one type and zone (audited).
    fn set_building_standard(&mut self, s: &BuildingStandard, actor: &str) -> Result<Upsert>;
    /// Every stored type and zone.
    fn building_standards(&mut self) -> Result<Vec<BuildingStandard>>;
}

const BUILDING_COLS: &str = "b.site, b.credit_code, b.kind, b.floor_area_m2, b.climate_zone, \
     b.stars, b.updated_by, b.updated_at";

fn building_of(r: &Row) -> Result<Building> {
    Ok(Building {
        site: r.text(0),
        credit_code: CreditCode::parse(&r.text(1))
            .map_err(|e| StoreError::Corrupt(format!("building credit code: {e}")))?,
        kind: r.text(2),
        floor_area_m2: parse_dec(&r.text(3))?,
        climate_zone: r.text(4),
        stars: r.opt_int(5).map(|s| s as u8),
        updated_by: r.text(6),
        updated_at: r.text(7),
    })
}

fn building_text(b: &Building) -> String {
    format!(
        "org={} kind={} floor_area_m2={} climate_zone={} stars={}",
        b.credit_code,
        b.kind,
        dec(b.floor_area_m2),
        b.climate_zone,
        b.stars.map(|s| s.to_string()).unwrap_or_default()
    )
}

const STANDARD_COLS: &str = "kind, climate_zone, constraint_kwh_per_m2, guide_kwh_per_m2, source";

fn standard_of(r: &Row) -> Result<BuildingStandard> {
    Ok(BuildingStandard {
        kind: r.text(0),
        climate_zone: r.text(1),
        constraint_kwh_per_m2: parse_dec(&r.text(2))?,
        guide_kwh_per_m2: parse_dec(&r.text(3))?,
        source: r.text(4),
    })
}

fn standard_text(s: &BuildingStandard) -> String {
    format!(
        "constraint={} guide={} source={}",
        dec(s.constraint_kwh_per_m2),
        dec(s.guide_kwh_per_m2),
        s.source
    )
}

fn building_by_site(c: &mut dyn Conn, site: &str) -> Result<Option<Building>> {
    c.query(
        &format!("SELECT {BUILDING_COLS} FROM buildings b WHERE b.site = $1"),
        &[site.into()],
    )?
    .first()
    .map(building_of)
    .transpose()
}

impl<C: Conn> BuildingStore for SqlStore<C> {
    fn set_building(&mut self, b: &Building, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            let known = c.query(
                "SELECT 1 FROM orgs WHERE credit_code = $1",
                &[b.credit_code.as_str().into()],
            )?;
            if known.is_empty() {
                return Err(StoreError::Conflict(format!(
                    "building {}: no enterprise {} (import it first)",
                    b.site, b.credit_code
                )));
            }
            let before = building_by_site(c, &b.site)?;
            let params = [
                b.site.as_str().into(),
                b.credit_code.as_str().into(),
                b.kind.as_str().into(),
                dec(b.floor_area_m2).into(),
                b.climate_zone.as_str().into(),
                b.stars.map(i64::from).into(),
                actor.into(),
                now().into(),
            ];
            let upsert = match &before {
                Some(o) if building_text(o) == building_text(b) => return Ok(Upsert::Unchanged),
                _ => write_row(
                    c,
                    before.is_some(),
                    "UPDATE buildings SET credit_code = $2, kind = $3, floor_area_m2 = $4, \
                         climate_zone = $5, stars = $6, updated_by = $7, updated_at = $8 WHERE site = $1",
                    "INSERT INTO buildings (site, credit_code, kind, floor_area_m2, climate_zone, \
                         stars, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &params,
                )?,
            };
            audit_upsert(
                c,
                actor,
                upsert,
                "building",
                &b.site,
                before.as_ref().map(building_text),
                Some(building_text(b)),
            )?;
            Ok(upsert)
        })
    }

    fn buildings(&mut self, access: &Access) -> Result<Vec<Building>> {
        let (cond, params) = org_condition(access, 1);
        self.conn()
            .query(
                &format!(
                    "SELECT {BUILDING_COLS} FROM buildings b JOIN orgs o ON o.credit_code = b.credit_code \
                     WHERE {cond} ORDER BY b.site"
                ),
                &params,
            )?
            .iter()
            .map(building_of)
            .collect()
    }

    fn building(&mut self, access: &Access, site: &str) -> Result<Option<Building>> {
        let (cond, mut params) = org_condition(access, 2);
        let mut all = vec![site.into()];
        all.append(&mut params);
        self.conn()
            .query(
                &format!(
                    "SELECT {BUILDING_COLS} FROM buildings b JOIN orgs o ON o.credit_code = b.credit_code \
                     WHERE b.site = $1 AND {cond}"
                ),
                &all,
            )?
            .first()
            .map(building_of)
            .transpose()
    }

    fn set_building_standard(&mut self, s: &BuildingStandard, actor: &str) -> Result<Upsert> {
        self.transaction(|c| {
            let key = [s.kind.as_str().into(), s.climate_zone.as_str().into()];
            let before = c
                .query(
                    &format!(
                        "SELECT {STANDARD_COLS} FROM building_standards WHERE kind = $1 AND climate_zone = $2"
                    ),
                    &key,
                )?
                .first()
                .map(standard_of)
                .transpose()?;
            let mut params = key.to_vec();
            params.extend([
                dec(s.constraint_kwh_per_m2).into(),
                dec(s.guide_kwh_per_m2).into(),
                s.source.as_str().into(),
                now().into(),
            ]);
            let upsert = match &before {
                Some(o) if o == s => return Ok(Upsert::Unchanged),
                _ => write_row(
                    c,
                    before.is_some(),
                    "UPDATE building_standards SET constraint_kwh_per_m2 = $3, guide_kwh_per_m2 = $4, \
                         source = $5, updated_at = $6 WHERE kind = $1 AND climate_zone = $2",
                    &format!(
                            "INSERT INTO building_standards ({STANDARD_COLS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
                        ),
                    &params,
                )?,
            };
            audit_upsert(
                c,
                actor,
                upsert,
                "building_standard",
                &format!("{}/{}", s.kind, s.climate_zone),
                before.as_ref().map(standard_text),
                Some(standard_text(s)),
            )?;
            Ok(upsert)
        })
    }

    fn building_standards(&mut self) -> Result<Vec<BuildingStandard>> {
        self.conn()
            .query(
                &format!(
                    "SELECT {STANDARD_COLS} FROM building_standards ORDER BY kind, climate_zone"
                ),
                &[],
            )?
            .iter()
            .map(standard_of)
            .collect()
    }
}

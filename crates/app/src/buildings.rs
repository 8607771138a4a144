//! Use cases of buildings (建筑能耗与碳排放): registering a site as a building, the
//! civil-building energy standard's values (imported with their source), a building's year
//! against them, the league table of a scope's buildings, and a retrofit's saving.
//!
//! A building's year: the ledger rows of its enterprise whose `site` is the building's (for
//! an enterprise with one building only, rows without a site too: the enterprise is the
//! building, e.g. a data centre or an office tenant's own block), and,
//! when meters of the enterprise name the building as their `site`, those meters'
//! electricity instead of the ledger's (consumption meters are the load; per hour, grid =
//! consumption - generation, never below zero, the rest on-site renewable). The accounting
//! engine prices it with fresh pins of the current catalog (provincial grid factor,
//! location-based Scope 2); [`zp_evaluate::building`] turns it into kWh and kgCO2 per m2.
//! Factor versions are reported with every result. Nothing is issued: a building's figures
//! are a view of its enterprise's accounts, not an account of their own.

pub use zp_evaluate::building::{BuildingKind, ClimateZone, Intensity, Rating, RetrofitSaving};
pub use zp_store::{Building, BuildingStandard};

use crate::note::Note;
use crate::readings::store_err;
use crate::{AppError, Caller};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use zp_accounting::{ActivityLine, GridFactorMode, Options, compute};
use zp_domain::time::{Date, local_day_start};
use zp_domain::{Carrier, CreditCode, Period, Quantity, Unit};
use zp_factors::Pins;
use zp_readings::ReadingStore;
use zp_store::{MeterFilter, MeterKind, Store, Upsert};

/// What `buildings set` asks for.
#[derive(Debug, Clone)]
pub struct BuildingInput {
    pub site: String,
    pub org: CreditCode,
    pub kind: String,
    pub floor_area_m2: Decimal,
    pub climate_zone: String,
    pub stars: Option<u8>,
}

/// Registers (or updates) a building of an enterprise the caller may see.
pub fn set_building(
    store: &mut dyn Store,
    caller: &Caller,
    input: &BuildingInput,
) -> Result<Upsert, AppError> {
    let site = input.site.trim();
    if site.is_empty() || site.chars().count() > 100 {
        return Err(AppError::Invalid("site: 1 to 100 characters".into()));
    }
    let kind = BuildingKind::parse(&input.kind).ok_or_else(|| {
        AppError::Invalid(format!(
            "type {:?}: one of {}",
            input.kind,
            BuildingKind::keys()
        ))
    })?;
    let zone = ClimateZone::parse(&input.climate_zone).ok_or_else(|| {
        AppError::Invalid(format!(
            "climate zone {:?}: one of {}",
            input.climate_zone,
            ClimateZone::keys()
        ))
    })?;
    if input.floor_area_m2 <= Decimal::ZERO {
        return Err(AppError::Invalid(format!(
            "floor area {} m2: must be positive",
            input.floor_area_m2
        )));
    }
    if let Some(s) = input.stars
        && !(1..=3).contains(&s)
    {
        return Err(AppError::Invalid(format!(
            "stars {s}: green-building ratings are 1, 2 or 3 stars"
        )));
    }
    crate::energy::visible_org(store, caller, &input.org)?;
    // Site names identify buildings across enterprises (`--site ID`): one never takes
    // over another's.
    if let Some(other) = store.building(&zp_store::Access::All, site)?
        && other.credit_code != input.org
    {
        return Err(AppError::Invalid(format!(
            "site {site:?} is already another enterprise's building: give this one another site name"
        )));
    }
    Ok(store.set_building(
        &Building {
            site: site.to_string(),
            credit_code: input.org.clone(),
            kind: kind.key().into(),
            floor_area_m2: input.floor_area_m2.normalize(),
            climate_zone: zone.key().into(),
            stars: input.stars,
            updated_by: String::new(),
            updated_at: String::new(),
        },
        &caller.actor,
    )?)
}

/// The columns of a standards file.
pub const STANDARD_COLUMNS: [&str; 5] = [
    "type",
    "climate_zone",
    "constraint_kwh_per_m2",
    "guide_kwh_per_m2",
    "source",
];

/// What importing a standards file did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StandardsImport {
    pub file: String,
    pub read: usize,
    pub accepted: usize,
    pub duplicates: usize,
    pub updated: usize,
}

/// Imports the standard's values (`type,climate_zone,constraint_kwh_per_m2,
/// guide_kwh_per_m2,source`; CSV or .xlsx). Reference data: only an unscoped caller may.
/// A bad cell refuses the whole file with its row, field and reason (a rating against a
/// silently missing value would be wrong); the same file again changes nothing.
pub fn import_standards(
    store: &mut dyn Store,
    caller: &Caller,
    path: &Path,
) -> Result<StandardsImport, AppError> {
    if caller.access != zp_store::Access::All {
        return Err(AppError::Invalid(
            "building standards are reference data: only the platform operator imports them".into(),
        ));
    }
    let table = crate::import::read_whole_table(path)?;
    let idx: Vec<usize> = STANDARD_COLUMNS
        .iter()
        .map(|c| {
            table.column(c).ok_or_else(|| {
                AppError::Invalid(format!(
                    "{}: no column {c} (columns: {})",
                    table.file,
                    STANDARD_COLUMNS.join(",")
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::with_capacity(table.rows.len());
    for (row, cells) in &table.rows {
        let cell = |i: usize| cells.get(idx[i]).map(|s| s.trim()).unwrap_or("");
        let bad = |i: usize, why: String| {
            AppError::Invalid(format!(
                "{} row {row}, field {}: {:?} {why}",
                table.file,
                STANDARD_COLUMNS[i],
                cell(i)
            ))
        };
        let kind = BuildingKind::parse(cell(0))
            .ok_or_else(|| bad(0, format!("is not one of {}", BuildingKind::keys())))?;
        let zone = ClimateZone::parse(cell(1))
            .ok_or_else(|| bad(1, format!("is not one of {}", ClimateZone::keys())))?;
        let value = |i: usize| {
            cell(i)
                .parse::<Decimal>()
                .ok()
                .filter(|v| *v > Decimal::ZERO)
                .ok_or_else(|| bad(i, "is not a positive number".into()))
        };
        let (constraint, guide) = (value(2)?, value(3)?);
        if guide > constraint {
            return Err(bad(
                3,
                format!(
                    "is above the constraint value {constraint}: a guide value is the stricter one"
                ),
            ));
        }
        if cell(4).is_empty() {
            return Err(bad(
                4,
                "is empty: name the standard, its table and edition".into(),
            ));
        }
        rows.push(BuildingStandard {
            kind: kind.key().into(),
            climate_zone: zone.key().into(),
            constraint_kwh_per_m2: constraint.normalize(),
            guide_kwh_per_m2: guide.normalize(),
            source: cell(4).to_string(),
        });
    }
    let mut out = StandardsImport {
        file: table.file.clone(),
        read: table.rows.len(),
        ..Default::default()
    };
    for s in &rows {
        match store.set_building_standard(s, &caller.actor)? {
            Upsert::Unchanged => out.duplicates += 1,
            Upsert::Updated => out.updated += 1,
            Upsert::Inserted => {}
        }
        out.accepted += 1;
    }
    Ok(out)
}

/// `zeropark report building`: a building's year against the standard.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BuildingReport {
    pub site: String,
    pub org: String,
    pub name: String,
    pub year: i32,
    #[serde(rename = "type")]
    pub kind: String,
    pub climate_zone: String,
    pub stars: Option<u8>,
    pub floor_area_m2: Decimal,
    pub energy_kwh: Decimal,
    pub energy_tce: Decimal,
    pub energy_kwh_per_m2: Decimal,
    pub scope1_tco2: Decimal,
    pub scope2_location_tco2: Decimal,
    pub carbon_kgco2_per_m2: Decimal,
    /// Null when no standard values are imported for the type and zone.
    pub constraint_kwh_per_m2: Option<Decimal>,
    pub guide_kwh_per_m2: Option<Decimal>,
    pub standard_source: Option<String>,
    /// `guide`, `constraint` or `above`; null without standard values.
    pub rating: Option<Rating>,
    /// `meters` or `ledger`: where the electricity came from.
    pub electricity_source: &'static str,
    pub ledger_rows: usize,
    pub metered_hours: usize,
    /// The factor versions the figures used.
    pub pins: Pins,
    pub notes: Vec<String>,
}

/// The building `site` as the caller may see it.
fn visible_building(
    store: &mut dyn Store,
    caller: &Caller,
    site: &str,
) -> Result<Building, AppError> {
    store.building(&caller.access, site)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "building {site:?} is not registered (or not visible to you): zeropark buildings set --site {site} ..."
        ))
    })
}

/// Monthly grid and on-site kWh of the building's meters in `year`; the hours metered.
fn metered_months(
    store: &mut dyn Store,
    readings: &ReadingStore,
    b: &Building,
    year: i32,
) -> Result<Option<(Vec<ActivityLine>, usize)>, AppError> {
    let meters = store.meters(&zp_store::Access::All, &MeterFilter::of_org(&b.credit_code))?;
    let of = |kind: MeterKind| -> Vec<String> {
        meters
            .iter()
            .filter(|m| m.site == b.site && m.kind == kind && m.is_top())
            .map(|m| m.meter.clone())
            .collect()
    };
    let (load, pv) = (of(MeterKind::Consumption), of(MeterKind::Generation));
    if load.is_empty() {
        return Ok(None);
    }
    let mut lines = Vec::new();
    let mut hours = 0;
    for m in 1..=12i8 {
        let start = local_day_start(Date::new(year as i16, m, 1).map_err(bad_date)?);
        let next = if m == 12 {
            Date::new(year as i16 + 1, 1, 1)
        } else {
            Date::new(year as i16, m + 1, 1)
        }
        .map_err(bad_date)?;
        let end = local_day_start(next);
        let sum = |ids: &[String]| -> Result<BTreeMap<i64, u64>, AppError> {
            let mut by_hour = BTreeMap::new();
            for id in ids {
                for (h, wh) in readings.hourly_wh(id, start, end).map_err(store_err)? {
                    *by_hour.entry(h).or_insert(0) += wh;
                }
            }
            Ok(by_hour)
        };
        let (l, g) = (sum(&load)?, sum(&pv)?);
        hours += l.len();
        let (mut grid, mut own) = (0u64, 0u64);
        for (h, wh) in &l {
            let gen_wh = g.get(h).copied().unwrap_or(0);
            let from_grid = wh.saturating_sub(gen_wh);
            grid += from_grid;
            own += wh - from_grid;
        }
        let period = Period::new(year, m as u32).map_err(|e| AppError::Invalid(e.to_string()))?;
        for (carrier, wh) in [
            (Carrier::Electricity, grid),
            (Carrier::ElectricityOnsiteRenewable, own),
        ] {
            if wh > 0 {
                lines.push(ActivityLine {
                    id: 0,
                    period,
                    carrier,
                    quantity: Quantity::new(Decimal::new(wh as i64, 3).normalize(), Unit::Kwh),
                    source: format!("meters of site {} ({period})", b.site),
                    steam: None,
                    serials: None,
                });
            }
        }
    }
    Ok((hours > 0).then_some((lines, hours)))
}

fn bad_date(e: impl std::fmt::Display) -> AppError {
    AppError::Invalid(format!("date: {e}"))
}

/// What every building's year is priced and rated with: read once per use case, not once
/// per building or year.
struct Reference {
    catalog: zp_factors::Catalog,
    standards: Vec<BuildingStandard>,
}

impl Reference {
    fn load(store: &mut dyn Store) -> Result<Reference, AppError> {
        Ok(Reference {
            catalog: crate::inventory::catalog(store)?,
            standards: store.building_standards()?,
        })
    }
}

/// `zeropark report building`: a building's year against the standard.
pub fn building_report(
    store: &mut dyn Store,
    caller: &Caller,
    readings: Option<&ReadingStore>,
    site: &str,
    year: i32,
) -> Result<BuildingReport, AppError> {
    let b = visible_building(store, caller, site)?;
    let reference = Reference::load(store)?;
    report_of(store, caller, readings, &b, year, &reference)
}

/// The year of building `b`, which the caller may see.
fn report_of(
    store: &mut dyn Store,
    caller: &Caller,
    readings: Option<&ReadingStore>,
    b: &Building,
    year: i32,
    reference: &Reference,
) -> Result<BuildingReport, AppError> {
    let org = crate::energy::visible_org(store, caller, &b.credit_code)?;
    let mut notes = Vec::new();
    let only_building = store
        .buildings(&zp_store::Access::Org(b.credit_code.clone()))?
        .len()
        == 1;
    let rows: Vec<_> = store
        .activity(&caller.access, &b.credit_code, year)?
        .into_iter()
        .filter(|r| r.site == b.site || (only_building && r.site.is_empty()))
        .collect();
    let unsited = rows.iter().filter(|r| r.site.is_empty()).count();
    if unsited > 0 {
        notes.push(format!(
            "{unsited} ledger row(s) without a site counted: the building is its enterprise's only one"
        ));
    }
    let ledger: Vec<ActivityLine> = rows
        .into_iter()
        .map(crate::inventory::ledger_line)
        .collect::<Result<_, _>>()?;
    let ledger_rows = ledger.len();
    let metered = match readings {
        Some(r) => metered_months(store, r, b, year)?,
        None => None,
    };
    let (lines, source, metered_hours) = match metered {
        Some((metered, hours)) => {
            let replaced = ledger.iter().filter(|l| l.carrier.is_electricity()).count();
            if replaced > 0 {
                notes.push(format!(
                    "electricity from the site's meters ({hours} metered hours); {replaced} ledger row(s) of electricity of the site not counted"
                ));
            }
            let mut lines: Vec<ActivityLine> = ledger
                .into_iter()
                .filter(|l| !l.carrier.is_electricity())
                .collect();
            lines.extend(metered);
            (lines, "meters", hours)
        }
        None => (ledger, "ledger", 0),
    };
    if lines.is_empty() {
        return Err(AppError::NotFound(no_figures(b, year).text(MISSING_EN)));
    }
    let input = crate::product_energy::part_input(&org, year, lines);
    let mut pins = Pins::default();
    let inv = compute(
        &input,
        &reference.catalog,
        &mut pins,
        Options {
            grid: GridFactorMode::Provincial,
        },
    )?;
    let i = zp_evaluate::building::intensity(
        inv.energy_tce,
        inv.scope1_tco2,
        inv.scope2_location_tco2,
        b.floor_area_m2,
    );
    let standard = reference
        .standards
        .iter()
        .find(|s| s.kind == b.kind && s.climate_zone == b.climate_zone);
    if standard.is_none() {
        notes.push(format!(
            "no standard values for {} in zone {}: import them (zeropark buildings standards FILE) to rate the building",
            b.kind, b.climate_zone
        ));
    }
    notes.push(
        "energy_kwh: electricity as metered or billed, fuels and heat at their calorific value (energy_tce / 0.1229 kgce per kWh); carbon: Scope 1 + location-based Scope 2 (GB/T 51366 operation stage, on-site renewables carry no emissions)".into(),
    );
    Ok(BuildingReport {
        site: b.site.clone(),
        org: b.credit_code.to_string(),
        name: org.name,
        year,
        kind: b.kind.clone(),
        climate_zone: b.climate_zone.clone(),
        stars: b.stars,
        floor_area_m2: b.floor_area_m2,
        energy_kwh: i.energy_kwh,
        energy_tce: inv.energy_tce,
        energy_kwh_per_m2: i.energy_kwh_per_m2,
        scope1_tco2: inv.scope1_tco2,
        scope2_location_tco2: inv.scope2_location_tco2,
        carbon_kgco2_per_m2: i.carbon_kgco2_per_m2,
        constraint_kwh_per_m2: standard.as_ref().map(|s| s.constraint_kwh_per_m2),
        guide_kwh_per_m2: standard.as_ref().map(|s| s.guide_kwh_per_m2),
        rating: standard.as_ref().map(|s| {
            zp_evaluate::building::rate(
                i.energy_kwh_per_m2,
                s.constraint_kwh_per_m2,
                s.guide_kwh_per_m2,
            )
        }),
        standard_source: standard.map(|s| s.source.clone()),
        electricity_source: source,
        ledger_rows,
        metered_hours,
        pins,
        notes,
    })
}

/// The league table's default year: the last full year (Asia/Shanghai).
pub fn last_full_year() -> i32 {
    let today = jiff::Timestamp::now()
        .to_zoned(zp_domain::time::cst())
        .date();
    i32::from(today.year()) - 1
}

/// One row of the league table.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LeagueRow {
    pub building: Building,
    /// The year's figures; `None` with the reason when the building has none.
    pub report: Option<BuildingReport>,
    pub missing: Option<String>,
    /// `missing` as a code and parameters ([`MISSING_EN`]) when it is a known one.
    pub missing_code: Option<Note>,
}

/// The English of each code of [`LeagueRow::missing_code`].
pub const MISSING_EN: &[(&str, &str)] = &[(
    "building.no_figures",
    "building \"{site}\" has no ledger rows with its site and no metered readings in {year}",
)];

/// A building without ledger rows or readings in `year`.
fn no_figures(b: &Building, year: i32) -> Note {
    Note::new(
        "building.no_figures",
        &[("site", b.site.clone()), ("year", year.to_string())],
    )
}

/// The caller's buildings with their year, most energy-intensive first (those without
/// figures last).
pub fn league(
    store: &mut dyn Store,
    caller: &Caller,
    readings: Option<&ReadingStore>,
    year: i32,
) -> Result<Vec<LeagueRow>, AppError> {
    let reference = Reference::load(store)?;
    let mut rows = Vec::new();
    for b in store.buildings(&caller.access)? {
        let (report, missing) = match report_of(store, caller, readings, &b, year, &reference) {
            Ok(r) => (Some(r), None),
            Err(AppError::NotFound(m) | AppError::Invalid(m)) => (None, Some(m)),
            Err(e) => return Err(e),
        };
        let missing_code = Some(no_figures(&b, year))
            .filter(|n| missing.as_deref() == Some(n.text(MISSING_EN).as_str()));
        rows.push(LeagueRow {
            building: b,
            report,
            missing,
            missing_code,
        });
    }
    rows.sort_by(|a, b| {
        let key = |r: &LeagueRow| r.report.as_ref().map(|x| x.energy_kwh_per_m2);
        key(b).cmp(&key(a))
    });
    Ok(rows)
}

/// `zeropark report retrofit`: the saving between two years of one building.
#[derive(Debug, Clone, Serialize)]
pub struct RetrofitReport {
    pub site: String,
    pub before_year: i32,
    pub after_year: i32,
    #[serde(flatten)]
    pub saving: RetrofitSaving,
    pub before_kwh_per_m2: Decimal,
    pub after_kwh_per_m2: Decimal,
    pub before_tco2: Decimal,
    pub after_tco2: Decimal,
    /// How the weather was accounted for, in words.
    pub normalisation: String,
    pub notes: Vec<String>,
}

/// The saving of a retrofit (e.g. heat pumps replacing boilers) from the building's years
/// before and after, normalised by the degree days given (heating, cooling or both: the
/// caller's choice, stated in the result).
pub fn retrofit(
    store: &mut dyn Store,
    caller: &Caller,
    readings: Option<&ReadingStore>,
    site: &str,
    before_year: i32,
    after_year: i32,
    degree_days: Option<(Decimal, Decimal)>,
) -> Result<RetrofitReport, AppError> {
    if before_year >= after_year {
        return Err(AppError::Invalid(format!(
            "before year {before_year} must come before after year {after_year}"
        )));
    }
    if let Some((b, a)) = degree_days
        && (b <= Decimal::ZERO || a < Decimal::ZERO)
    {
        return Err(AppError::Invalid(format!(
            "degree days {b} and {a}: the year before's must be positive, the year after's not negative"
        )));
    }
    let b = visible_building(store, caller, site)?;
    let reference = Reference::load(store)?;
    let before = report_of(store, caller, readings, &b, before_year, &reference)?;
    let after = report_of(store, caller, readings, &b, after_year, &reference)?;
    let saving =
        zp_evaluate::building::retrofit_saving(before.energy_kwh, after.energy_kwh, degree_days);
    let normalisation = match degree_days {
        Some((b, a)) => format!(
            "the year before scaled by degree days {a} / {b} (the after year's over the before year's)"
        ),
        None => "none: no degree days given, the raw difference of the two years".into(),
    };
    let mut notes = Vec::new();
    if before.electricity_source != after.electricity_source {
        notes.push(format!(
            "electricity from the {} in {before_year} and from the {} in {after_year}",
            before.electricity_source, after.electricity_source
        ));
    }
    Ok(RetrofitReport {
        site: before.site.clone(),
        before_year,
        after_year,
        saving,
        before_kwh_per_m2: before.energy_kwh_per_m2,
        after_kwh_per_m2: after.energy_kwh_per_m2,
        before_tco2: before.scope1_tco2 + before.scope2_location_tco2,
        after_tco2: after.scope1_tco2 + after.scope2_location_tco2,
        normalisation,
        notes,
    })
}

//! Registry commands: enterprises, parks, sites, designations, regions.

use crate::ctx::actor;
use crate::output;
use anyhow::{Context, anyhow, bail};
use clap::Subcommand;
use std::process::ExitCode;
use std::str::FromStr;
use zp_app::{Access, Designation, DesignationKind, DesignationLevel, OrgFilter, Site, Store};
use zp_domain::{CreditCode, Decimal, Region};

#[derive(Subcommand)]
pub enum OrgsCmd {
    /// List enterprises.
    List {
        #[arg(long)]
        park: Option<String>,
        #[arg(long)]
        region: Option<String>,
    },
    /// One enterprise with its sites and designations.
    Show { code: String },
    /// Record gross output value (万元) for a year (for tce per 10,000 yuan).
    SetOutput {
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = crate::args::year)]
        year: i32,
        #[arg(long = "value-10k-yuan")]
        value_10k_yuan: String,
    },
    /// Every version of the enterprise's ledger rows, including restated ones.
    History { code: String },
    /// Bill the enterprise under a tariff category of its region (needed when the region
    /// has more than one).
    SetTariff { code: String, category: String },
}

#[derive(Subcommand)]
pub enum ParksCmd {
    List,
    Add {
        name: String,
        #[arg(long)]
        region: String,
    },
}

#[derive(Subcommand)]
pub enum SitesCmd {
    Add {
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long)]
        lat: Option<f64>,
        #[arg(long)]
        lon: Option<f64>,
    },
    List {
        #[arg(long)]
        org: String,
    },
}

#[derive(Subcommand)]
pub enum DesignationsCmd {
    Add {
        #[arg(long, conflicts_with = "park", required_unless_present = "park")]
        org: Option<String>,
        #[arg(long)]
        park: Option<String>,
        /// green_factory, green_park, green_supply_chain, near_zero_carbon_pilot, zero_carbon_park
        #[arg(long)]
        kind: String,
        /// national, provincial or municipal
        #[arg(long)]
        level: String,
        /// YYYY-MM-DD
        #[arg(long)]
        granted_on: String,
        #[arg(long)]
        expires_on: Option<String>,
        #[arg(long, default_value = "")]
        notice: String,
    },
    List {
        /// Credit code or park name.
        #[arg(long)]
        scope: Option<String>,
    },
}

pub fn code(s: &str) -> anyhow::Result<CreditCode> {
    CreditCode::parse(s).with_context(|| format!("credit code {s:?}"))
}

fn region(s: &str) -> anyhow::Result<Region> {
    Ok(Region::parse(s)?)
}

fn date(s: &str) -> anyhow::Result<String> {
    let d: zp_domain::time::Date = s
        .parse()
        .with_context(|| format!("date {s:?} is not YYYY-MM-DD"))?;
    Ok(d.to_string())
}

pub fn orgs(store: &mut dyn Store, cmd: OrgsCmd, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        OrgsCmd::List { park, region: r } => {
            let filter = OrgFilter {
                park,
                region: r.as_deref().map(region).transpose()?,
            };
            let list = store.orgs(&Access::All, &filter)?;
            output::list(
                json,
                &list,
                &["credit_code", "name", "region", "park", "industry"],
                |o| {
                    vec![
                        o.credit_code.to_string(),
                        o.name.clone(),
                        o.region.code().into(),
                        o.park.clone().unwrap_or_default(),
                        o.industry.clone(),
                    ]
                },
            )?;
        }
        OrgsCmd::Show { code: c } => {
            let c = code(&c)?;
            let org = store
                .org(&Access::All, &c)?
                .ok_or_else(|| anyhow!("enterprise {c} is not registered"))?;
            let sites = store.sites(&Access::All, &c)?;
            let designations = store.designations(&Access::All, Some(c.as_str()))?;
            if json {
                output::json(
                    &serde_json::json!({ "org": org, "sites": sites, "designations": designations }),
                )?;
            } else {
                println!(
                    "{} {} ({} {}), industry {}, park {}",
                    org.credit_code,
                    org.name,
                    org.region.code(),
                    org.region.name_zh(),
                    org.industry,
                    org.park.as_deref().unwrap_or("-")
                );
                for (k, v) in &org.attrs {
                    println!("  {k}: {v}");
                }
                for s in &sites {
                    println!("  site {}: {}", s.name, s.address);
                }
                for d in &designations {
                    println!(
                        "  {} ({}) {} since {}",
                        d.kind.name_zh(),
                        d.kind.key(),
                        d.level.key(),
                        d.granted_on
                    );
                }
            }
        }
        OrgsCmd::SetOutput {
            org,
            year,
            value_10k_yuan,
        } => {
            let c = code(&org)?;
            let v = Decimal::from_str(value_10k_yuan.trim())
                .with_context(|| format!("value {value_10k_yuan:?}"))?;
            if v <= Decimal::ZERO {
                bail!("output value must be positive, got {v}");
            }
            if store.org(&Access::All, &c)?.is_none() {
                bail!("enterprise {c} is not registered");
            }
            let r = store.set_output_value(&c, year, v, &actor())?;
            if json {
                output::json(
                    &serde_json::json!({ "org": c, "year": year, "value_10k_yuan": v, "change": r }),
                )?;
            } else {
                println!("{c} {year}: output value {v} 万元 ({r:?})");
            }
        }
        OrgsCmd::SetTariff { code: c, category } => {
            return crate::energy::set_tariff(store, &c, &category, json);
        }
        OrgsCmd::History { code: c } => {
            let c = code(&c)?;
            let rows = store.activity_history(&Access::All, &c)?;
            output::list(
                json,
                &rows,
                &["id", "period", "carrier", "quantity", "source", "status"],
                |r| {
                    vec![
                        r.id.to_string(),
                        r.period.to_string(),
                        r.carrier.key().into(),
                        r.quantity.to_string(),
                        format!("{}:{}", r.source_file, r.source_row),
                        r.superseded_by
                            .map(|s| format!("restated by {s}"))
                            .unwrap_or_else(|| "current".into()),
                    ]
                },
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn parks(store: &mut dyn Store, cmd: ParksCmd, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        ParksCmd::List => {
            let list = store.parks(&Access::All)?;
            if json {
                output::json(&list)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|p| vec![p.name.clone(), p.region.code().into()])
                    .collect();
                output::table(&["park", "region"], &rows);
            }
        }
        ParksCmd::Add { name, region: r } => {
            let p = store.upsert_park(&name, region(&r)?, &actor())?;
            output::either(json, &p, |_| {
                println!("park {} ({})", p.name, p.region.code());
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn regions(json: bool) -> anyhow::Result<ExitCode> {
    let list: Vec<_> = Region::all()
        .map(|r| serde_json::json!({ "code": r.code(), "name_zh": r.name_zh(), "name_en": r.name_en() }))
        .collect();
    if json {
        output::json(&list)?;
    } else {
        let rows: Vec<Vec<String>> = Region::all()
            .map(|r| vec![r.code().into(), r.name_zh().into(), r.name_en().into()])
            .collect();
        output::table(&["code", "name_zh", "name_en"], &rows);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn sites(store: &mut dyn Store, cmd: SitesCmd, json: bool) -> anyhow::Result<ExitCode> {
    match cmd {
        SitesCmd::Add {
            org,
            name,
            address,
            lat,
            lon,
        } => {
            let c = code(&org)?;
            if store.org(&Access::All, &c)?.is_none() {
                bail!("enterprise {c} is not registered");
            }
            if lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
                || lon.is_some_and(|v| !(-180.0..=180.0).contains(&v))
            {
                bail!("latitude must be within ±90 and longitude within ±180");
            }
            let r = store.upsert_site(
                &Site {
                    credit_code: c,
                    name,
                    address,
                    lat,
                    lon,
                },
                &actor(),
            )?;
            output::either(json, &serde_json::json!({ "change": r }), |_| {
                println!("site {r:?}");
            })?;
        }
        SitesCmd::List { org } => {
            let list = store.sites(&Access::All, &code(&org)?)?;
            output::list(json, &list, &["site", "address", "lat", "lon"], |s| {
                vec![
                    s.name.clone(),
                    s.address.clone(),
                    s.lat.map(|v| v.to_string()).unwrap_or_default(),
                    s.lon.map(|v| v.to_string()).unwrap_or_default(),
                ]
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn designations(
    store: &mut dyn Store,
    cmd: DesignationsCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match cmd {
        DesignationsCmd::Add {
            org,
            park,
            kind,
            level,
            granted_on,
            expires_on,
            notice,
        } => {
            let (scope_kind, scope_id) = match (org, park) {
                (Some(o), _) => {
                    let c = code(&o)?;
                    if store.org(&Access::All, &c)?.is_none() {
                        bail!("enterprise {c} is not registered");
                    }
                    ("org", c.to_string())
                }
                (None, Some(p)) => {
                    if store.park(&Access::All, &p)?.is_none() {
                        bail!("park {p:?} is not registered");
                    }
                    ("park", p)
                }
                (None, None) => bail!("give --org or --park"),
            };
            let kinds = DesignationKind::ALL.map(|k| k.key()).join(", ");
            let d = Designation {
                scope_kind: scope_kind.into(),
                scope_id,
                kind: DesignationKind::parse(&kind)
                    .ok_or_else(|| anyhow!("unknown designation {kind:?} (one of {kinds})"))?,
                level: DesignationLevel::parse(&level).ok_or_else(|| {
                    anyhow!("unknown level {level:?} (national, provincial, municipal)")
                })?,
                granted_on: date(&granted_on)?,
                expires_on: expires_on.as_deref().map(date).transpose()?,
                notice,
            };
            let r = store.add_designation(&d, &actor())?;
            output::either(
                json,
                &serde_json::json!({ "designation": d, "change": r }),
                |_| {
                    println!(
                        "{} {} for {}: {r:?}",
                        d.level.key(),
                        d.kind.name_zh(),
                        d.scope_id
                    );
                },
            )?;
        }
        DesignationsCmd::List { scope } => {
            let list = store.designations(&Access::All, scope.as_deref())?;
            output::list(
                json,
                &list,
                &["scope", "id", "kind", "名称", "level", "granted", "expires"],
                |d| {
                    vec![
                        d.scope_kind.clone(),
                        d.scope_id.clone(),
                        d.kind.key().into(),
                        d.kind.name_zh().into(),
                        d.level.key().into(),
                        d.granted_on.clone(),
                        d.expires_on.clone().unwrap_or_default(),
                    ]
                },
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

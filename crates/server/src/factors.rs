//! Factors (排放因子): the catalog with versions and sources, importing a newly published
//! notice as a new immutable set, and what a recompute would change.

use crate::auth::CurrentUser;
use crate::extract::{Json, Multipart, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::{Body as OpBody, Op, schema};
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use zp_app::RecomputeItem;
use zp_app::{Access, OrgFilter, Role, Store};
use zp_app::{Factor, FactorKind};
use zp_domain::Region;

pub const AREA: Area = Area {
    name: "factors",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/factors",
        label: "nav.factors",
        roles: &[],
        group: crate::layout::NavGroup::Data,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/factors",
        "The factor catalog (built-in and imported sets)",
    )
    .query(&[
        ("kind", "Factor kind, e.g. grid_average", false),
        ("region", "Region code, e.g. CQ", false),
        ("set", "Set name", false),
    ])
    .returns(crate::openapi::response::<Factors>),
    Op::get(
        "/api/v1/factor-sets",
        "Factor sets with file, SHA-256 and import time",
    )
    .returns(crate::openapi::response::<Sets>),
    Op::post(
        "/api/v1/factor-sets/{name}",
        "Import a factor notice (multipart field `file`) as the new immutable set `name` \
         (platform admin)",
    )
    .created()
    .body(OpBody::Upload)
    .returns(crate::openapi::response::<SetImported>),
    Op::post(
        "/api/v1/recompute",
        "Re-select factors of issued inventories: {dry_run: true} lists what would change \
         (within the caller's scope); {dry_run: false} applies (platform admin)",
    )
    .json_body(schema::<RecomputeBody>)
    .returns(crate::openapi::response::<Recomputed>),
];

const STRINGS: &[Entry] = &[
    ("nav.factors", "排放因子", "Factors"),
    ("factors.title", "排放因子库", "Factor catalog"),
    ("factors.sets", "因子版本", "Factor sets"),
    (
        "factors.builtin",
        "内置（随软件发布）",
        "built in (ships with the software)",
    ),
    ("factors.imported", "导入时间", "Imported"),
    (
        "factors.recompute",
        "重新计算预览：采用最新因子后会变化的已发布结果",
        "Recompute preview: issued results that would change with the current factors",
    ),
    (
        "factors.no_change",
        "当前因子库不会改变任何已发布结果。",
        "The current catalog changes no issued result.",
    ),
    ("factors.apply", "应用重新计算", "Apply the recompute"),
    ("factors.applied", "已应用", "Applied"),
    ("factors.slot", "用途", "Slot"),
    ("factors.old", "原因子", "Old factor"),
    ("factors.new", "新因子", "New factor"),
    ("factors.figure", "指标", "Figure"),
    ("factors.before", "原值", "Before"),
    ("factors.after", "新值", "After"),
    ("factors.publisher", "发布机构", "Publisher"),
    ("factors.notice", "文件", "Notice"),
    ("factors.subject", "对象", "Subject"),
    (
        "factors.import",
        "导入新发布的因子文件",
        "Import a newly published factor notice",
    ),
    ("factors.set_name", "版本名称", "Set name"),
    (
        "factors.kind.grid_average",
        "电网平均排放因子",
        "Grid average",
    ),
    (
        "factors.kind.grid_excluding_market_non_fossil",
        "不含市场化非化石电量的电网排放因子",
        "Grid excluding market-traded non-fossil",
    ),
    (
        "factors.kind.grid_fossil_only",
        "化石能源电力排放因子",
        "Grid, fossil only",
    ),
    (
        "factors.kind.grid_ets_reporting",
        "碳市场报告用电网排放因子",
        "Grid, ETS reporting",
    ),
    (
        "factors.kind.tce_coefficient",
        "折标准煤系数",
        "Coal-equivalent coefficient",
    ),
    (
        "factors.kind.net_calorific_value",
        "低位发热量",
        "Net calorific value",
    ),
    (
        "factors.kind.carbon_content",
        "单位热值含碳量",
        "Carbon content",
    ),
    ("factors.kind.oxidation_rate", "碳氧化率", "Oxidation rate"),
    (
        "factors.kind.heat_emission",
        "外购热力排放因子",
        "Purchased heat emission",
    ),
    (
        "factors.kind.steam_heat_content",
        "蒸汽热焓",
        "Steam heat content",
    ),
    (
        "factors.kind.clinker_process",
        "熟料过程排放因子",
        "Clinker process emission",
    ),
    (
        "factors.kind.electricity_coal_equivalent",
        "电力等价值折标系数",
        "Electricity coal equivalent",
    ),
    ("factors.kind.parameter", "其他参数", "Other parameter"),
    (
        "factors.immutable",
        "因子版本导入后不可修改；已发布结果保持原因子，直至重新计算。",
        "Factor sets are immutable once imported; issued results keep their factors until a recompute.",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/factors", get(page))
        .route("/api/v1/factors", get(factors))
        .route("/api/v1/factor-sets", get(sets))
        .route("/api/v1/factor-sets/{name}", post(import_set))
        .route("/api/v1/recompute", post(recompute))
}

#[derive(Deserialize, Default)]
struct FactorQuery {
    kind: Option<String>,
    region: Option<String>,
    set: Option<String>,
}

fn filtered(all: &[Factor], q: &FactorQuery) -> Result<Vec<Factor>, AppError> {
    let kind = q
        .kind
        .as_deref()
        .filter(|k| !k.is_empty())
        .map(|k| {
            FactorKind::parse(k).ok_or_else(|| AppError::BadRequest(format!("unknown kind {k:?}")))
        })
        .transpose()?;
    let region = q
        .region
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(Region::parse)
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(all
        .iter()
        .filter(|f| kind.is_none_or(|k| f.kind == k))
        .filter(|f| region.is_none_or(|r| f.region == Some(r)))
        .filter(|f| {
            q.set
                .as_ref()
                .filter(|s| !s.is_empty())
                .is_none_or(|s| &f.set == s)
        })
        .cloned()
        .collect())
}

async fn factors(
    State(st): State<AppState>,
    _who: CurrentUser,
    Query(q): Query<FactorQuery>,
) -> Result<Json<Factors>, AppError> {
    let catalog = st.run(|s| Ok(zp_app::catalog(s)?)).await?;
    Ok(Json(Factors {
        factors: filtered(catalog.all(), &q)?,
    }))
}

/// Factors of the catalog.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Factors {
    factors: Vec<Factor>,
}

/// The factor sets: the built-in one's name and every set with its count.
#[derive(Serialize, schemars::JsonSchema)]
pub struct Sets {
    builtin: &'static str,
    sets: Vec<zp_app::FactorSetInfo>,
}

async fn sets(State(st): State<AppState>, _who: CurrentUser) -> Result<Json<Sets>, AppError> {
    let sets = st.run(|s| Ok(s.factor_sets()?)).await?;
    Ok(Json(Sets {
        builtin: zp_app::BUILTIN_SET,
        sets,
    }))
}

async fn import_set(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(name): Path<String>,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<SetImported>), AppError> {
    who.require_role(&[Role::PlatformAdmin])?;
    let name = crate::upload::set_name(&name)?;
    let saved = crate::imports::save_upload(&st.config, &mut multipart).await?;
    let (path, actor, set) = (saved.path.clone(), who.actor(), name.clone());
    let n = st
        .run(move |s| Ok(zp_app::import_factor_set(s, &path, &set, &actor)?))
        .await?;
    saved.keep();
    Ok((
        StatusCode::CREATED,
        Json(SetImported {
            set: name,
            factors: n,
        }),
    ))
}

/// A factor set stored: its name and how many factors it holds.
#[derive(Serialize, schemars::JsonSchema)]
pub struct SetImported {
    set: String,
    factors: usize,
}

/// What a recompute changed (or, in a dry run, would change).
#[derive(Serialize, schemars::JsonSchema)]
pub struct Recomputed {
    dry_run: bool,
    changes: Vec<RecomputeItem>,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct RecomputeBody {
    #[serde(default = "yes")]
    dry_run: bool,
}

fn yes() -> bool {
    true
}

/// The recompute items the caller may see (their scope's enterprises).
fn visible_items(
    s: &mut dyn Store,
    access: &Access,
    items: Vec<RecomputeItem>,
) -> Result<Vec<RecomputeItem>, AppError> {
    if *access == Access::All {
        return Ok(items);
    }
    let visible: HashSet<String> = s
        .orgs(access, &OrgFilter::default())?
        .into_iter()
        .map(|o| o.credit_code.to_string())
        .collect();
    Ok(items
        .into_iter()
        .filter(|i| visible.contains(&i.scope))
        .collect())
}

async fn recompute(
    State(st): State<AppState>,
    who: CurrentUser,
    Json(b): Json<RecomputeBody>,
) -> Result<Json<Recomputed>, AppError> {
    if !b.dry_run {
        who.require_role(&[Role::PlatformAdmin])?;
    }
    let (access, actor, apply) = (who.access.clone(), who.actor(), !b.dry_run);
    let items = st
        .run(move |s| {
            let items = zp_app::recompute(s, apply, &actor)?;
            visible_items(s, &access, items)
        })
        .await?;
    Ok(Json(Recomputed {
        dry_run: b.dry_run,
        changes: items,
    }))
}

struct SetRow {
    name: String,
    file: String,
    sha256: String,
    imported_at: String,
    count: usize,
}

/// A factor as the page shows it: unit and notice in the page's language, the notice as
/// pieces of text and references (names, shown as code).
struct FactorRow {
    id: String,
    subject: String,
    year: Option<i32>,
    value: String,
    unit: String,
    publisher: String,
    notice: Vec<(bool, String)>,
}

impl FactorRow {
    fn new(f: Factor, lang: Lang) -> FactorRow {
        let zh = zp_app::builtin_zh(&f.id).filter(|_| lang == Lang::Zh);
        let (unit, notice) = match zh {
            Some(zh) => (zh.unit.clone(), zh.notice.clone()),
            None => (f.unit, f.notice),
        };
        FactorRow {
            notice: crate::format::code_pieces(&notice),
            id: f.id,
            subject: f.subject,
            year: f.year,
            value: f.value.to_string(),
            unit,
            publisher: f.publisher,
        }
    }
}

#[derive(Template)]
#[template(path = "factors.html")]
struct Body {
    lang: Lang,
    sets: Vec<SetRow>,
    kinds: Vec<&'static str>,
    kind: String,
    region: String,
    factors: Vec<FactorRow>,
    changes: Vec<RecomputeItem>,
    is_admin: bool,
}

async fn page(page: Page, State(st): State<AppState>, Query(q): Query<FactorQuery>) -> PageResult {
    let lang = page.lang;
    let access = page.user.access.clone();
    let actor = page.user.actor();
    let (catalog, stored, changes) = st
        .run(move |s| {
            let catalog = zp_app::catalog(s)?;
            let stored = s.factor_sets()?;
            let items = zp_app::recompute(s, false, &actor)?;
            let changes = visible_items(s, &access, items)?;
            Ok((catalog, stored, changes))
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in catalog.all() {
        *counts.entry(f.set.as_str()).or_default() += 1;
    }
    let mut sets = vec![SetRow {
        name: zp_app::BUILTIN_SET.into(),
        file: "crates/factors/data/*.csv".into(),
        sha256: String::new(),
        imported_at: lang.t("factors.builtin").into(),
        count: counts.get(zp_app::BUILTIN_SET).copied().unwrap_or(0),
    }];
    sets.extend(stored.into_iter().map(|s| SetRow {
        count: counts.get(s.name.as_str()).copied().unwrap_or(0),
        name: s.name,
        file: s.file,
        sha256: s.sha256.chars().take(12).collect(),
        imported_at: s.imported_at,
    }));
    let q = FactorQuery {
        kind: Some(q.kind.unwrap_or_else(|| "grid_average".into())),
        region: q.region,
        set: q.set,
    };
    let factors = filtered(catalog.all(), &q)
        .map_err(|e| PageError(e, lang))?
        .into_iter()
        .map(|f| FactorRow::new(f, lang))
        .collect();
    let mut kinds: Vec<&'static str> = catalog.all().iter().map(|f| f.kind.key()).collect();
    kinds.sort();
    kinds.dedup();
    let body = Body {
        lang,
        sets,
        kinds,
        kind: q.kind.unwrap_or_default(),
        region: q.region.unwrap_or_default(),
        factors,
        changes,
        is_admin: page.user.role() == Role::PlatformAdmin,
    };
    render(
        &page,
        lang.t("factors.title"),
        &body,
        &["/assets/factors.js"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factor_kind_has_a_label_in_both_languages() {
        for k in FactorKind::ALL {
            let key = format!("factors.kind.{}", k.key());
            assert!(STRINGS.iter().any(|(k, _, _)| *k == key), "no {key}");
        }
    }

    #[test]
    fn a_builtin_notice_is_shown_in_chinese_with_its_references_as_code_and_kept_in_english() {
        let f = zp_app::Catalog::builtin()
            .all()
            .iter()
            .find(|f| f.id == "builtin-2025.1/grid_average/GRID-CC/2021")
            .cloned()
            .expect("the 2021 central China grid factor");
        let zh = FactorRow::new(f.clone(), Lang::Zh);
        assert_eq!(
            zh.notice,
            [
                (false, "生态环境部 国家统计局公告2024年第12号；读取自：".to_string()),
                (
                    true,
                    "github felix0220170/ghg-accounting:src/config/emissionConstants.js@c532c0755c631567a1bca8c78e95b23ca8fecd5a".to_string()
                ),
                (false, "（原以 tCO2/kWh 存储，已 ×1000）".to_string()),
            ]
        );
        let en = FactorRow::new(f.clone(), Lang::En);
        assert_eq!(en.notice, [(false, f.notice)]);
    }
}

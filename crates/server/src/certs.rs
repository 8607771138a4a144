//! The granular certificate registry (绿电溯源): balances, bundles and the chain check.
//! Everyone sees the balances of the bundles they may see: a bundle is visible when its
//! owner, or the consumer it was retired for, is an enterprise in the caller's scope.

use crate::auth::CurrentUser;
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashSet;
use zp_app::certs::BundleFilter;
use zp_certs::{Balances, Bundle};
use zp_domain::CreditCode;
use zp_domain::time::format_local;
use zp_store::{OrgFilter, Store};

pub const AREA: Area = Area {
    name: "certs",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/certs",
        label: "nav.certs",
        roles: &[],
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/certs/bundles",
        "Certificate bundles visible to the caller, with the balances of those bundles",
    )
    .query(&[
        ("owner", "Owner's credit code", false),
        ("status", "active, cancelled, claimed or withdrawn", false),
        ("limit", "Most bundles (default 500, at most 10000)", false),
    ]),
    Op::get(
        "/api/v1/certs/verify",
        "Re-walk the signed hash chain and the balances of the whole registry",
    ),
];

const STRINGS: &[Entry] = &[
    ("nav.certs", "绿电证书", "Certificates"),
    (
        "certs.title",
        "绿电证书登记簿（逐时颗粒度）",
        "Granular certificate registry (hourly)",
    ),
    (
        "certs.hint",
        "每个证书对应 1 Wh 计量发电量；国家绿证（GEC）按月、每张 1 MWh。事件链以 ed25519 签名，可由第三方验证。",
        "One certificate per metered Wh; imported GECs are monthly, 1 MWh each. The event log is hash-chained and ed25519-signed, verifiable by third parties.",
    ),
    ("certs.issued", "已签发", "Issued"),
    ("certs.active", "有效", "Active"),
    ("certs.cancelled", "已注销", "Cancelled"),
    ("certs.claimed", "已声明", "Claimed"),
    ("certs.withdrawn", "已撤销", "Withdrawn"),
    ("certs.bundle", "证书束", "Bundle"),
    ("certs.ids", "证书编号", "Certificate ids"),
    ("certs.owner", "持有人", "Owner"),
    ("certs.source", "电表 / 电站", "Meter / plant"),
    ("certs.produced", "生产时段", "Produced"),
    ("certs.tech", "技术", "Technology"),
    ("certs.status", "状态", "Status"),
    ("certs.consumer", "消费方", "Consumer"),
    ("certs.monthly", "按月（绿证）", "monthly (GEC)"),
    ("certs.chain", "事件链校验", "Chain check"),
    ("certs.chain_ok", "校验通过", "verified"),
    ("certs.events", "事件数", "Events"),
    ("certs.head", "链头哈希", "Head hash"),
    (
        "certs.empty",
        "尚无证书：导入发电计量数据后运行 zeropark certs issue。",
        "No certificates yet: import generation readings, then run zeropark certs issue.",
    ),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/certs", get(page))
        .route("/api/v1/certs/bundles", get(bundles_api))
        .route("/api/v1/certs/verify", get(verify_api))
}

#[derive(Deserialize, Default)]
struct BundleQuery {
    owner: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

/// Bundles the caller may see (owner or consumer in scope), newest first, and their
/// balances.
fn visible(
    s: &mut dyn Store,
    who: &CurrentUser,
    q: &BundleQuery,
) -> Result<(Vec<Bundle>, Balances), AppError> {
    let owner = q
        .owner
        .as_deref()
        .map(|o| {
            CreditCode::parse(o.trim()).map_err(|e| AppError::BadRequest(format!("owner: {e}")))
        })
        .transpose()?;
    if let Some(st) = &q.status
        && !["active", "cancelled", "claimed", "withdrawn"].contains(&st.as_str())
    {
        return Err(AppError::BadRequest(format!(
            "status {st:?}: use active, cancelled, claimed or withdrawn"
        )));
    }
    let filter = BundleFilter {
        owner,
        status: q.status.clone(),
        ..Default::default()
    };
    let (all, _) = zp_app::certs::bundles(s, &filter)?;
    let in_scope: Option<HashSet<CreditCode>> = if who.sees_all() {
        None
    } else {
        Some(
            s.orgs(&who.access, &OrgFilter::default())?
                .into_iter()
                .map(|o| o.credit_code)
                .collect(),
        )
    };
    let mut list: Vec<Bundle> = all
        .into_iter()
        .filter(|b| {
            in_scope.as_ref().is_none_or(|codes| {
                codes.contains(&b.owner)
                    || b.status
                        .retirement()
                        .is_some_and(|(c, _, _)| codes.contains(c))
            })
        })
        .collect();
    let mut balances = Balances::default();
    for b in &list {
        balances.issued_wh += b.energy_wh;
        balances.add_by_status(b);
    }
    list.sort_by_key(|b| std::cmp::Reverse(b.id.0));
    list.truncate(q.limit.unwrap_or(500).min(10_000));
    Ok((list, balances))
}

async fn bundles_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<BundleQuery>,
) -> Result<Json<Value>, AppError> {
    let (list, balances) = st.run(move |s| visible(s, &who, &q)).await?;
    Ok(Json(json!({ "balances": balances, "bundles": list })))
}

async fn verify_api(
    State(st): State<AppState>,
    _who: CurrentUser,
) -> Result<Json<Value>, AppError> {
    let summary = st
        .run(|s| {
            if s.cert_events()?.is_empty() {
                return Ok(None);
            }
            Ok(Some(zp_app::certs::verify(s)?))
        })
        .await?;
    Ok(Json(match summary {
        Some(sum) => json!({ "verified": true, "summary": sum }),
        None => {
            json!({ "verified": true, "summary": null, "note": "the registry has no events yet" })
        }
    }))
}

/// One table row.
#[derive(Serialize)]
struct Row {
    id: u64,
    ids: String,
    mwh: String,
    owner: String,
    source: String,
    produced: String,
    tech: String,
    status: &'static str,
    consumer: String,
}

#[derive(Template)]
#[template(path = "certs.html")]
struct Body {
    lang: Lang,
    mwh: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    chain: Option<(u64, String)>,
}

fn mwh(wh: u64) -> String {
    crate::format::num(
        zp_domain::Decimal::from(wh) / zp_domain::Decimal::from(1_000_000u64),
        3,
    )
}

async fn page(page: Page, State(st): State<AppState>) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let (list, balances, chain) = st
        .run(move |s| {
            let (list, balances) = visible(s, &who, &BundleQuery::default())?;
            let chain = if s.cert_events()?.is_empty() {
                None
            } else {
                let sum = zp_app::certs::verify(s)?;
                Some((sum.events, sum.head_hash))
            };
            Ok((list, balances, chain))
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let rows = list
        .iter()
        .map(|b| Row {
            id: b.id.0,
            ids: format!("{}–{}", b.ids.start, b.ids.end),
            mwh: mwh(b.energy_wh),
            owner: b.owner.to_string(),
            source: b.meter_or_plant().to_string(),
            produced: b
                .production_hour_start()
                .map(|h| {
                    format_local(h)
                        .get(..16)
                        .unwrap_or_default()
                        .replace('T', " ")
                })
                .unwrap_or_else(|| lang.t("certs.monthly").to_string()),
            tech: b.technology.clone(),
            status: b.status.name(),
            consumer: b
                .status
                .retirement()
                .map(|(c, _, _)| c.to_string())
                .unwrap_or_default(),
        })
        .collect();
    let body = Body {
        lang,
        mwh: vec![
            ("certs.issued", mwh(balances.issued_wh)),
            ("certs.active", mwh(balances.active_wh)),
            ("certs.cancelled", mwh(balances.cancelled_wh)),
            ("certs.claimed", mwh(balances.claimed_wh)),
            ("certs.withdrawn", mwh(balances.withdrawn_wh)),
        ],
        rows,
        chain,
    };
    render(&page, lang.t("nav.certs"), &body, &[])
}

//! Evaluations (评价): zero-carbon park, green factory, near-zero-carbon pilot and ESG
//! scorecards with pass/fail per indicator and the gap analysis. Figures come from the
//! caller's accounts (tenant-filtered inventory), never re-typed.

use crate::auth::CurrentUser;
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use zp_app::evaluate::{EvaluationKind, EvaluationReport, EvaluationScope, SchemeChoice};
use zp_domain::CreditCode;
use zp_store::Store;

pub const AREA: Area = Area {
    name: "evaluate",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/evaluate",
        label: "nav.evaluate",
        roles: &[],
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[Op::get(
    "/api/v1/evaluate/{kind}",
    "Evaluate a park (zero-carbon-park, near-zero) or an enterprise (green-factory, esg) for a year, with gaps",
)
.query(&[
    ("park", "Park name (park schemes)", false),
    ("org", "Enterprise credit code (enterprise schemes)", false),
    ("year", "Reporting year", true),
])];

const STRINGS: &[Entry] = &[
    ("nav.evaluate", "评价", "Evaluations"),
    (
        "eval.title",
        "评价与差距分析",
        "Evaluations and gap analysis",
    ),
    ("eval.scheme", "指标体系", "Indicator set"),
    ("eval.scope", "园区 / 企业", "Park / enterprise"),
    ("eval.pass", "通过", "Pass"),
    ("eval.fail", "未通过", "Fail"),
    ("eval.missing", "缺数据", "Missing"),
    ("eval.scored", "计分", "Scored"),
    ("eval.indicator", "指标", "Indicator"),
    ("eval.value", "数值", "Value"),
    ("eval.threshold", "阈值", "Threshold"),
    ("eval.veto", "否决项", "Veto"),
    ("eval.source", "来源", "Source"),
    (
        "eval.gaps",
        "差距与改进路径",
        "Gaps and what would close them",
    ),
    ("eval.reasons", "未通过原因", "Why it does not pass"),
    ("eval.run", "评价", "Evaluate"),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/evaluate", get(page))
        .route("/api/v1/evaluate/{kind}", get(api))
}

#[derive(Deserialize, Default, Clone)]
struct EvalQuery {
    kind: Option<String>,
    park: Option<String>,
    org: Option<String>,
    year: Option<i32>,
}

fn run_eval(
    s: &mut dyn Store,
    who: &CurrentUser,
    kind: EvaluationKind,
    q: &EvalQuery,
    year: i32,
) -> Result<EvaluationReport, AppError> {
    let scope = match kind {
        EvaluationKind::ZeroCarbonPark | EvaluationKind::NearZero => {
            EvaluationScope::Park(q.park.clone().filter(|p| !p.is_empty()).ok_or_else(|| {
                AppError::BadRequest(format!("{} evaluates a park: give park=NAME", kind.key()))
            })?)
        }
        EvaluationKind::GreenFactory | EvaluationKind::Esg => {
            let code = q.org.as_deref().unwrap_or_default();
            EvaluationScope::Org(
                CreditCode::parse(code.trim())
                    .map_err(|e| AppError::BadRequest(format!("org {code:?}: {e}")))?,
            )
        }
    };
    Ok(zp_app::evaluate::evaluate(
        s,
        &who.access,
        kind,
        &scope,
        year,
        &SchemeChoice::default(),
        None,
        &who.actor(),
    )?)
}

fn kind_of(s: &str) -> Result<EvaluationKind, AppError> {
    EvaluationKind::parse(s).ok_or_else(|| {
        AppError::NotFound(format!(
            "no evaluation {s:?}: use zero-carbon-park, green-factory, near-zero or esg"
        ))
    })
}

async fn api(
    State(st): State<AppState>,
    who: CurrentUser,
    Path(kind): Path<String>,
    Query(q): Query<EvalQuery>,
) -> Result<Json<EvaluationReport>, AppError> {
    let kind = kind_of(&kind)?;
    let year = q
        .year
        .ok_or_else(|| AppError::BadRequest("give year=YYYY".into()))?;
    let report = st.run(move |s| run_eval(s, &who, kind, &q, year)).await?;
    Ok(Json(report))
}

struct IndicatorRow {
    name: String,
    value: String,
    threshold: String,
    status: &'static str,
    veto: bool,
    source: String,
}

struct GapRow {
    name: String,
    actions: Vec<(String, String)>,
}

struct Scorecard {
    scheme: String,
    pass: bool,
    rows: Vec<IndicatorRow>,
    gaps: Vec<GapRow>,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "evaluate.html")]
struct Body {
    lang: Lang,
    kinds: Vec<(&'static str, bool)>,
    parks: Vec<String>,
    park: String,
    org: String,
    year: i32,
    result: Option<Scorecard>,
    error: Option<String>,
}

fn shown(d: Option<zp_domain::Decimal>) -> String {
    d.map(|v| crate::format::num(v, 4))
        .unwrap_or_else(|| "—".into())
}

async fn page(page: Page, State(st): State<AppState>, Query(q): Query<EvalQuery>) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let kind = q
        .kind
        .as_deref()
        .and_then(EvaluationKind::parse)
        .unwrap_or(EvaluationKind::ZeroCarbonPark);
    let q2 = q.clone();
    let (parks, year, outcome) = st
        .run(move |s| {
            let parks: Vec<String> = s.parks(&who.access)?.into_iter().map(|p| p.name).collect();
            let year = match q2.year {
                Some(y) => y,
                None => s
                    .activity_years(&who.access)?
                    .first()
                    .copied()
                    .unwrap_or(2023),
            };
            let mut q3 = q2.clone();
            if q3.park.is_none() {
                q3.park = parks.first().cloned();
            }
            let wants_org = matches!(kind, EvaluationKind::GreenFactory | EvaluationKind::Esg);
            let outcome = if wants_org && q3.org.as_deref().unwrap_or("").is_empty() {
                None
            } else {
                Some(run_eval(s, &who, kind, &q3, year).map_err(|e| e.to_string()))
            };
            Ok((parks, year, outcome))
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let (result, error) = match outcome {
        Some(Ok(r)) => {
            let rows = r
                .evaluation
                .indicators
                .iter()
                .map(|i| IndicatorRow {
                    name: match (lang, &i.name_zh) {
                        (Lang::Zh, Some(zh)) => zh.clone(),
                        _ => i.name.clone(),
                    },
                    value: format!("{} {}", shown(i.value), i.unit),
                    threshold: shown(i.threshold),
                    status: match i.status {
                        zp_evaluate::IndicatorStatus::Pass => "pass",
                        zp_evaluate::IndicatorStatus::Fail => "fail",
                        zp_evaluate::IndicatorStatus::Missing => "missing",
                        zp_evaluate::IndicatorStatus::Scored => "scored",
                    },
                    veto: i.veto,
                    source: i.source.clone(),
                })
                .collect();
            let gaps = r
                .gaps
                .iter()
                .map(|g| GapRow {
                    name: g.name.clone(),
                    actions: g
                        .actions
                        .iter()
                        .map(|a| (a.text.clone(), a.arithmetic.clone()))
                        .collect(),
                })
                .collect();
            (
                Some(Scorecard {
                    scheme: format!("{} {}", r.scheme_name, r.evaluation.version),
                    pass: r.evaluation.pass,
                    rows,
                    gaps,
                    reasons: r.evaluation.reasons.clone(),
                }),
                None,
            )
        }
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let park = q
        .park
        .clone()
        .or_else(|| parks.first().cloned())
        .unwrap_or_default();
    let body = Body {
        lang,
        kinds: EvaluationKind::ALL
            .iter()
            .map(|k| (k.key(), *k == kind))
            .collect(),
        parks,
        park,
        org: q.org.clone().unwrap_or_default(),
        year,
        result,
        error,
    };
    render(&page, lang.t("nav.evaluate"), &body, &[])
}

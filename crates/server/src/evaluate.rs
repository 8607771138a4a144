//! Evaluations (评价): zero-carbon park, green factory, near-zero-carbon pilot and ESG
//! scorecards with pass/fail per indicator and the gap analysis, the trajectory to a target
//! intensity and the abatement plan (减排路径: cost curve and cheapest portfolio, as
//! `zeropark evaluate plan`). Figures come from the caller's accounts (tenant-filtered
//! inventory), never re-typed.

use crate::auth::CurrentUser;
use crate::extract::{Json, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{NavItem, Page, PageError, PageResult, render};
use crate::openapi::Op;
use crate::{AppError, AppState, Area};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zp_app::Store;
use zp_app::evaluate::PathShape;
use zp_app::evaluate::{
    EvaluationKind, EvaluationReport, EvaluationScope, PlanReport, SchemeChoice, Target,
};
use zp_domain::{CreditCode, Decimal};

pub const AREA: Area = Area {
    name: "evaluate",
    routes,
    ops: OPS,
    nav: &[NavItem {
        href: "/evaluate",
        label: "nav.evaluate",
        roles: &[],
        group: crate::layout::NavGroup::Evaluate,
    }],
    strings: STRINGS,
};

const OPS: &[Op] = &[
    Op::get(
        "/api/v1/evaluate/{kind}",
        "Evaluate a park (zero-carbon-park, near-zero) or an enterprise (green-factory, esg) for a year, with gaps; with target and by also the trajectory",
    )
    .query(&[
        ("park", "Park name (park schemes)", false),
        ("org", "Enterprise credit code (enterprise schemes)", false),
        ("year", "Reporting year", true),
        ("target", "Target intensity tCO2/tce for the trajectory", false),
        ("by", "Target year (with target)", false),
        ("path", "linear (default) or constant_rate", false),
        ("energy_growth", "Yearly energy growth on the path, fraction (default 0)", false),
    ])
    .returns(crate::openapi::response::<EvaluationReport>),
    Op::get(
        "/api/v1/evaluate/plan",
        "Abatement plan of a park or enterprise (as `zeropark evaluate plan --json`): the cheapest portfolio of the built-in measures reaching the target intensity by the target year, the marginal abatement cost curve and the yearly path",
    )
    .query(&[
        ("park", "Park name (or org)", false),
        ("org", "Enterprise credit code (or park)", false),
        ("year", "Base year (its accounts are the starting point)", true),
        ("target", "Target market-based intensity, tCO2/tce", true),
        ("by", "Target year", true),
        ("path", "linear (default) or constant_rate", false),
        ("energy_growth", "Yearly energy growth on the path, fraction (default 0)", false),
    ])
    .returns(crate::openapi::response::<PlanReport>),
];

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
    ("eval.yes", "是", "yes"),
    ("eval.no", "否", "no"),
    ("eval.note", "注", "Note"),
    ("eval.unit.tce/10k yuan", "tce/万元", "tce/10k yuan"),
    ("eval.unit.10k yuan", "万元", "10k yuan"),
    (
        "eval.unit.per million hours",
        "次/百万工时",
        "per million hours",
    ),
    ("eval.unit.h/person", "小时/人", "h/person"),
    ("eval.run", "评价", "Evaluate"),
    ("eval.kind.zero-carbon-park", "零碳园区", "Zero-carbon park"),
    ("eval.kind.green-factory", "绿色工厂", "Green factory"),
    (
        "eval.kind.near-zero",
        "近零碳排放试点",
        "Near-zero carbon pilot",
    ),
    ("eval.kind.esg", "ESG 评分", "ESG score"),
    (
        "eval.org_placeholder",
        "统一社会信用代码（绿色工厂、ESG）",
        "credit code (green-factory, esg)",
    ),
    ("eval.target", "目标强度 tCO2/tce", "Target tCO2/tce"),
    ("eval.by", "目标年份", "Target year"),
    (
        "eval.trajectory",
        "达标路径（逐年强度）",
        "Trajectory to the target (intensity by year)",
    ),
    ("eval.year", "年份", "Year"),
    ("eval.intensity", "强度 tCO2/tce", "Intensity tCO2/tce"),
    ("eval.allowed", "允许排放 tCO2", "Allowed tCO2"),
    ("eval.abatement", "需减排 tCO2", "Abatement tCO2"),
    ("eval.plan", "减排方案", "Abatement plan"),
    (
        "eval.plan.already_met",
        "基准年已达标：无需新增措施",
        "The base year already meets the target: nothing to buy",
    ),
    (
        "eval.plan.optimal",
        "达标的最低成本措施组合",
        "Cheapest portfolio reaching the target",
    ),
    (
        "eval.plan.infeasible",
        "现有措施无法达标（显示最大减排组合）",
        "Out of reach with these measures (deepest cut shown)",
    ),
    (
        "eval.mac",
        "边际减排成本曲线",
        "Marginal abatement cost curve",
    ),
    (
        "eval.mac.hint",
        "柱宽 = 年减排量 tCO2，柱高 = 单位减排成本 元/tCO2，按成本排序",
        "Width = abatement tCO2/yr, height = cost yuan/tCO2, sorted by cost",
    ),
    ("eval.measure", "措施", "Measure"),
    ("eval.units", "数量", "Quantity"),
    ("eval.avoided", "年减排 tCO2", "Avoided tCO2/yr"),
    ("eval.saved", "年节能 tce", "Saved tce/yr"),
    ("eval.cost", "年化成本 元", "Annualised cost yuan/yr"),
    ("eval.capex", "投资 元", "Capex yuan"),
    ("eval.total", "合计", "Total"),
    ("eval.base", "基准年强度", "Base-year intensity"),
    ("eval.after", "实施后强度", "Intensity after"),
    ("eval.vs_target", "目标", "Target"),
    ("eval.cost_per_t", "元/tCO2", "yuan/tCO2"),
];

fn routes() -> Router<AppState> {
    Router::new()
        .route("/evaluate", get(page))
        .route("/api/v1/evaluate/plan", get(plan_api))
        .route("/api/v1/evaluate/{kind}", get(api))
}

#[derive(Deserialize, Default, Clone)]
struct EvalQuery {
    kind: Option<String>,
    park: Option<String>,
    org: Option<String>,
    year: Option<i32>,
    /// Target intensity (tCO2/tce), as text so a bad number gets a clear message.
    target: Option<String>,
    by: Option<i32>,
    path: Option<String>,
    energy_growth: Option<String>,
}

fn decimal_param(name: &str, text: &str) -> Result<Decimal, AppError> {
    text.trim()
        .parse::<Decimal>()
        .map_err(|_| AppError::BadRequest(format!("{name}={text:?} is not a decimal number")))
}

impl EvalQuery {
    /// The target of `target` and `by` (both or neither).
    fn target(&self) -> Result<Option<Target>, AppError> {
        let target = self.target.as_deref().filter(|t| !t.trim().is_empty());
        let (tco2_per_tce, year) = match (target, self.by) {
            (None, None) => return Ok(None),
            (Some(t), Some(by)) => (decimal_param("target", t)?, by),
            _ => {
                return Err(AppError::BadRequest(
                    "give target=TCO2_PER_TCE and by=YYYY together".into(),
                ));
            }
        };
        let shape = match self.path.as_deref().unwrap_or("linear") {
            "linear" | "" => PathShape::Linear,
            "constant_rate" | "constant-rate" => PathShape::ConstantRate,
            other => {
                return Err(AppError::BadRequest(format!(
                    "path={other:?}: use linear or constant_rate"
                )));
            }
        };
        let energy_growth = match self.energy_growth.as_deref().filter(|g| !g.is_empty()) {
            Some(g) => decimal_param("energy_growth", g)?,
            None => Decimal::ZERO,
        };
        Ok(Some(Target {
            year,
            tco2_per_tce,
            shape,
            energy_growth,
        }))
    }

    /// A park (`park=`) or an enterprise (`org=`) for a plan.
    fn plan_scope(&self) -> Result<EvaluationScope, AppError> {
        let park = self.park.as_deref().filter(|p| !p.is_empty());
        let org = self.org.as_deref().map(str::trim).filter(|o| !o.is_empty());
        match (park, org) {
            (Some(_), Some(_)) => Err(AppError::BadRequest(
                "give park=NAME or org=CREDIT_CODE, not both".into(),
            )),
            (None, Some(code)) => Ok(EvaluationScope::Org(
                CreditCode::parse(code)
                    .map_err(|e| AppError::BadRequest(format!("org {code:?}: {e}")))?,
            )),
            (Some(p), None) => Ok(EvaluationScope::Park(p.to_string())),
            (None, None) => Err(AppError::BadRequest(
                "give park=NAME or org=CREDIT_CODE".into(),
            )),
        }
    }
}

fn run_plan(
    s: &mut dyn Store,
    who: &CurrentUser,
    scope: &EvaluationScope,
    year: i32,
    target: Target,
) -> Result<PlanReport, AppError> {
    Ok(zp_app::evaluate::plan(
        s,
        &who.access,
        scope,
        year,
        target,
        None,
        &who.actor(),
    )?)
}

/// `GET /api/v1/evaluate/plan`: the JSON of `zeropark evaluate plan --json`, from the
/// caller's own accounts (a scope outside them is a 404).
async fn plan_api(
    State(st): State<AppState>,
    who: CurrentUser,
    Query(q): Query<EvalQuery>,
) -> Result<Json<PlanReport>, AppError> {
    let year = q
        .year
        .ok_or_else(|| AppError::BadRequest("give year=YYYY (the base year)".into()))?;
    let target = q.target()?.ok_or_else(|| {
        AppError::BadRequest("give target=TCO2_PER_TCE and by=YYYY (the target year)".into())
    })?;
    let scope = q.plan_scope()?;
    let report = st
        .run(move |s| run_plan(s, &who, &scope, year, target))
        .await?;
    Ok(Json(report))
}

/// The park (park schemes) or enterprise (enterprise schemes) an evaluation is about.
fn eval_scope(kind: EvaluationKind, q: &EvalQuery) -> Result<EvaluationScope, AppError> {
    Ok(match kind {
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
    })
}

fn run_eval(
    s: &mut dyn Store,
    who: &CurrentUser,
    kind: EvaluationKind,
    q: &EvalQuery,
    year: i32,
) -> Result<EvaluationReport, AppError> {
    let target = q.target()?;
    let scope = eval_scope(kind, q)?;
    Ok(zp_app::evaluate::evaluate(
        s,
        &who.access,
        kind,
        &scope,
        year,
        &SchemeChoice::default(),
        target,
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

/// Text as pieces, `true` where a piece is a code or value.
type Pieces = Vec<(bool, String)>;

/// One way to close a gap: what to do, its arithmetic and its note, each as pieces.
struct ActionRow {
    text: Pieces,
    arithmetic: Pieces,
    note: Option<Pieces>,
}

struct GapRow {
    name: String,
    actions: Vec<ActionRow>,
}

/// One year of the path to the target.
struct PathRow {
    year: i32,
    intensity: String,
    allowed: String,
    abatement: String,
}

struct Scorecard {
    scheme: String,
    pass: bool,
    rows: Vec<IndicatorRow>,
    gaps: Vec<GapRow>,
    reasons: Vec<Pieces>,
    trajectory: Vec<PathRow>,
}

/// One measure of the chosen portfolio.
struct PortfolioRow {
    name: String,
    units: String,
    avoided: String,
    saved: String,
    cost: String,
    capex: String,
}

/// The abatement plan as the page shows it; `chart` feeds `assets/evaluate.js`.
struct PlanView {
    status: &'static str,
    target: String,
    target_year: i32,
    base: String,
    after: String,
    meets: bool,
    rows: Vec<PortfolioRow>,
    total_cost: String,
    total_capex: String,
    total_avoided: String,
    notes: Vec<Pieces>,
    chart: String,
}

#[derive(Template)]
#[template(path = "evaluate.html")]
struct Body {
    lang: Lang,
    /// Each kind: key, label, selected.
    kinds: Vec<(&'static str, &'static str, bool)>,
    parks: Vec<String>,
    park: String,
    org: String,
    year: i32,
    target: String,
    by: i32,
    result: Option<Scorecard>,
    /// The evaluation's refusal as pieces, `true` where a piece is a code or value.
    error: Option<Vec<(bool, String)>>,
    plan: Option<PlanView>,
    /// The plan's refusal as pieces, `true` where a piece is a code or value.
    plan_error: Option<Vec<(bool, String)>>,
}

/// The Chinese of every code of `zp_app::evaluate::abatement::PLAN_ERRORS_EN`.
const PLAN_ERRORS_ZH: &[(&str, &str)] = &[
    ("plan.years", "目标年份 {target} 不得早于基准年 {base}"),
    ("plan.no_energy", "基准年没有能源消费，因此没有碳排放强度"),
    ("plan.negative_target", "目标强度 {target} 不得为负"),
    ("plan.solver", "求解器：`{detail}`"),
    (
        "plan.no_grid_factor",
        "基准年没有未被证书覆盖的电网购电，也未给出备用电网因子，因此无法评估改变电网用电的措施",
    ),
    (
        "plan.numerical",
        "求解器给出的组合在精确计算下未达到目标（{intensity} tCO2/tce）",
    ),
];

/// The Chinese of every code of `zp_app::evaluate::TRAJECTORY_ERRORS_EN`.
const TRAJECTORY_ERRORS_ZH: &[(&str, &str)] = &[
    (
        "trajectory.years",
        "目标年份 {target} 必须晚于基准年 {base}",
    ),
    (
        "trajectory.no_energy",
        "基准年没有能源消费，因此没有碳排放强度",
    ),
    ("trajectory.negative_target", "目标强度 {target} 不得为负"),
    (
        "trajectory.zero_for_rate",
        "等比例下降路径需要基准强度和目标强度都大于零",
    ),
];

fn shown(d: Option<Decimal>) -> String {
    d.map(|v| crate::format::num(v, 4))
        .unwrap_or_else(|| "—".into())
}

/// An indicator's value or threshold as the scorecard shows it: a yes/no requirement as
/// yes or no, a fraction as a percentage, else the number (with its unit's label when
/// `with_unit`).
fn indicator_figure(lang: Lang, d: Option<Decimal>, unit: &str, with_unit: bool) -> String {
    match (unit, d) {
        (_, None) => "—".into(),
        ("bool", Some(v)) => lang
            .t(if v >= Decimal::ONE {
                "eval.yes"
            } else {
                "eval.no"
            })
            .into(),
        ("fraction", Some(v)) => crate::format::pct(Some(v), 2),
        (_, Some(v)) if with_unit => format!(
            "{} {}",
            crate::format::num(v, 4),
            crate::evaluate_texts::unit_label(lang, unit)
        ),
        (_, Some(v)) => crate::format::num(v, 4),
    }
}

/// A data item's Chinese name on a Chinese page when the data gives one, else its name.
fn zh_or(lang: Lang, zh: &Option<String>, name: &str) -> String {
    match (lang, zh) {
        (Lang::Zh, Some(zh)) => zh.clone(),
        _ => name.to_string(),
    }
}

fn scorecard(r: &EvaluationReport, lang: Lang) -> Scorecard {
    let texts = crate::evaluate_texts::Texts {
        lang,
        indicators: &r.evaluation.indicators,
    };
    let rows = r
        .evaluation
        .indicators
        .iter()
        .map(|i| IndicatorRow {
            name: zh_or(lang, &i.name_zh, &i.name),
            value: indicator_figure(lang, i.value, &i.unit, true),
            threshold: indicator_figure(lang, i.threshold, &i.unit, false),
            status: match i.status {
                zp_app::evaluate::IndicatorStatus::Pass => "pass",
                zp_app::evaluate::IndicatorStatus::Fail => "fail",
                zp_app::evaluate::IndicatorStatus::Missing => "missing",
                zp_app::evaluate::IndicatorStatus::Scored => "scored",
            },
            veto: i.veto,
            source: i.source.clone(),
        })
        .collect();
    let gaps = r
        .gaps
        .iter()
        .map(|g| GapRow {
            name: zh_or(lang, &g.name_zh, &g.name),
            actions: g
                .actions
                .iter()
                .map(|a| ActionRow {
                    text: texts.pieces(&a.text),
                    arithmetic: texts.pieces(&a.arithmetic),
                    note: a.note.as_deref().map(|n| texts.pieces(n)),
                })
                .collect(),
        })
        .collect();
    let num = crate::format::num;
    Scorecard {
        scheme: format!(
            "{} {}",
            zh_or(lang, &r.scheme_name_zh, &r.scheme_name),
            r.evaluation.version
        ),
        pass: r.evaluation.pass,
        rows,
        gaps,
        reasons: r
            .evaluation
            .reasons
            .iter()
            .map(|t| texts.pieces(t))
            .collect(),
        trajectory: r
            .trajectory
            .iter()
            .flatten()
            .map(|p| PathRow {
                year: p.year,
                intensity: num(p.intensity_tco2_per_tce, 4),
                allowed: num(p.allowed_tco2, 0),
                abatement: num(p.abatement_tco2, 0),
            })
            .collect(),
    }
}

fn plan_view(r: &PlanReport, lang: Lang) -> PlanView {
    use zp_app::evaluate::PlanStatus;
    let num = crate::format::num;
    let p = &r.plan;
    let measure_name = |name_zh: &Option<String>, name: &str| zh_or(lang, name_zh, name);
    let rows = p
        .portfolio
        .iter()
        .map(|m| PortfolioRow {
            name: measure_name(&m.name_zh, &m.name),
            units: format!("{} × {}", m.units, zh_or(lang, &m.unit_zh, &m.unit)),
            avoided: num(m.avoided_tco2, 1),
            saved: num(m.saved_tce, 1),
            cost: num(m.annualised_cost_yuan, 0),
            capex: num(m.capex_yuan, 0),
        })
        .collect();
    // The curve: one step per measure that avoids something, cheapest first.
    let mut start = Decimal::ZERO;
    let steps: Vec<serde_json::Value> = r
        .mac_curve
        .iter()
        .filter(|m| m.avoided_tco2 > Decimal::ZERO)
        .filter_map(|m| {
            let cost = m.cost_yuan_per_tco2?;
            let step = serde_json::json!({
                "measure": m.measure,
                "name": measure_name(&m.name_zh, &m.name),
                "start": start,
                "end": start + m.avoided_tco2,
                "avoided_tco2": m.avoided_tco2,
                "cost_yuan_per_tco2": cost,
                "units": m.units,
            });
            start += m.avoided_tco2;
            Some(step)
        })
        .collect();
    let chart = serde_json::json!({
        "labels": {
            "x": lang.t("eval.avoided"),
            "y": lang.t("eval.cost_per_t"),
            "intensity": lang.t("eval.intensity"),
            "target": lang.t("eval.vs_target"),
        },
        "steps": steps,
        "target": p.target_tco2_per_tce,
        "trajectory": r.trajectory.iter().map(|t| serde_json::json!({
            "year": t.year,
            "intensity": t.intensity_tco2_per_tce,
        })).collect::<Vec<_>>(),
    });
    let after = p.intensity_after_tco2_per_tce;
    PlanView {
        status: match p.status {
            PlanStatus::AlreadyMet => "already_met",
            PlanStatus::Optimal => "optimal",
            PlanStatus::Infeasible => "infeasible",
        },
        target: p.target_tco2_per_tce.normalize().to_string(),
        target_year: p.target_year,
        base: num(p.base_intensity_tco2_per_tce, 4),
        after: shown(after),
        meets: after.is_some_and(|a| a <= p.target_tco2_per_tce),
        rows,
        total_cost: num(p.total_annualised_cost_yuan, 0),
        total_capex: num(p.total_capex_yuan, 0),
        total_avoided: num(p.base_emissions_tco2 - p.emissions_after_tco2, 1),
        notes: p
            .notes
            .iter()
            .map(|n| {
                crate::evaluate_texts::Texts {
                    lang,
                    indicators: &[],
                }
                .pieces(n)
            })
            .collect(),
        chart: crate::format::script_json(&chart),
    }
}

/// Defaults of the page: the 910 veto threshold 0.20 tCO2/tce, three years on.
const DEFAULT_TARGET: &str = "0.20";
const DEFAULT_TARGET_YEARS: i32 = 3;

type PageOutcome = (
    Option<Result<EvaluationReport, String>>,
    Option<Result<PlanReport, String>>,
);

/// The scorecard (with the trajectory) and the plan of the page's scope.
fn page_outcome(
    s: &mut dyn Store,
    who: &CurrentUser,
    kind: EvaluationKind,
    q: &EvalQuery,
    year: i32,
) -> PageOutcome {
    let wants_org = matches!(kind, EvaluationKind::GreenFactory | EvaluationKind::Esg);
    if wants_org && q.org.as_deref().unwrap_or("").is_empty() {
        return (None, None);
    }
    let report = run_eval(s, who, kind, q, year).map_err(|e| e.to_string());
    let plan = (|| {
        let target = q
            .target()?
            .ok_or_else(|| AppError::BadRequest("target".into()))?;
        run_plan(s, who, &eval_scope(kind, q)?, year, target)
    })()
    .map_err(|e| e.to_string());
    (Some(report), Some(plan))
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
    let (parks, q, outcome) = st
        .run(move |s| {
            let all_parks = s.parks(&who.access)?;
            let busiest = zp_app::park::busiest_park(s, &who.access, &all_parks)?;
            let parks: Vec<String> = all_parks.into_iter().map(|p| p.name).collect();
            let mut q = q2;
            let year = crate::carbon_map::year_or_latest(s, &who.access, q.year)?;
            q.year = Some(year);
            if q.park.is_none() {
                q.park = busiest.map(|p| p.name);
            }
            if q.target.as_deref().is_none_or(|t| t.trim().is_empty()) {
                q.target = Some(DEFAULT_TARGET.into());
            }
            q.by = Some(q.by.unwrap_or(year + DEFAULT_TARGET_YEARS));
            let outcome = page_outcome(s, &who, kind, &q, year);
            Ok((parks, q, outcome))
        })
        .await
        .map_err(|e| PageError(e, lang))?;
    let (report, plan) = outcome;
    let (result, error) = match report {
        Some(Ok(r)) => (Some(scorecard(&r, lang)), None),
        Some(Err(e)) => (
            None,
            Some(crate::format::template_pieces(
                lang,
                &e,
                zp_app::evaluate::TRAJECTORY_ERRORS_EN,
                TRAJECTORY_ERRORS_ZH,
            )),
        ),
        None => (None, None),
    };
    let (plan, plan_error) = match plan {
        Some(Ok(p)) => (Some(plan_view(&p, lang)), None),
        Some(Err(e)) => (
            None,
            Some(crate::format::template_pieces(
                lang,
                &e,
                zp_app::evaluate::abatement::PLAN_ERRORS_EN,
                PLAN_ERRORS_ZH,
            )),
        ),
        None => (None, None),
    };
    let year = q.year.unwrap_or(2023);
    let body = Body {
        lang,
        kinds: EvaluationKind::ALL
            .iter()
            .map(|k| {
                (
                    k.key(),
                    lang.t(&format!("eval.kind.{}", k.key())),
                    *k == kind,
                )
            })
            .collect(),
        park: q.park.clone().unwrap_or_default(),
        parks,
        org: q.org.clone().unwrap_or_default(),
        year,
        target: q.target.clone().unwrap_or_default(),
        by: q.by.unwrap_or(year + DEFAULT_TARGET_YEARS),
        result,
        error,
        plan,
        plan_error,
    };
    render(
        &page,
        lang.t("nav.evaluate"),
        &body,
        &["/assets/evaluate.js"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_plan_error_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(zp_app::evaluate::abatement::PLAN_ERRORS_EN, PLAN_ERRORS_ZH);
        crate::i18n::assert_same_codes(
            zp_app::evaluate::TRAJECTORY_ERRORS_EN,
            TRAJECTORY_ERRORS_ZH,
        );
        let text = |e: &str| {
            crate::format::pieces_text(crate::format::template_pieces(
                Lang::Zh,
                e,
                zp_app::evaluate::abatement::PLAN_ERRORS_EN,
                PLAN_ERRORS_ZH,
            ))
        };
        assert_eq!(
            text("target year 2020 must not be before the base year 2023"),
            "目标年份 2020 不得早于基准年 2023"
        );
        assert_eq!(text("solver: infeasible"), "求解器：<infeasible>");
    }
}

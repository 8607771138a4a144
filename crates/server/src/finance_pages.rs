//! Finance pages: the project library with filters, a project with its MRV chart and
//! applications, and the matching view for banks (products x projects, scores, reasons).

use super::{LibraryQuery, detail, library, rank_for_product, run_mrv, this_month, with_party};
use crate::extract::{Path, Query};
use crate::format::{num, script_json};
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageError, PageResult, render};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use serde::Serialize;
use zp_app::finance::{Match, ProjectKind, RuleCheck, Status};
use zp_app::finance::{MrvView, Party};
use zp_domain::Decimal;

/// The Chinese template of each matching reason code (`zp_finance::matching::REASONS_EN`
/// holds the English ones); `{name}` stands for a parameter.
const REASONS_ZH: &[(&str, &str)] = &[
    ("region.in", "项目所在地 {region} 属于 [{list}]"),
    ("region.not_in", "项目所在地 {region} 不属于 [{list}]"),
    ("category.under", "目录条目 {tag} {path} 属于 [{list}]"),
    ("category.not_under", "目录条目 [{tags}] 均不属于 [{list}]"),
    ("project_kind.in", "项目类型 {kind} 属于 [{list}]"),
    ("project_kind.not_in", "项目类型 {kind} 不属于 [{list}]"),
    (
        "climate_project.meets",
        "目录条目 {tag} {path} 符合气候减缓标准",
    ),
    ("climate_project.none", "没有目录条目符合气候投融资减缓标准"),
    (
        "min_annual_reduction.met",
        "预计年减排 {value} tCO2 ≥ 最低要求 {min}",
    ),
    (
        "min_annual_reduction.short",
        "预计年减排 {value} tCO2 < 最低要求 {min}",
    ),
    (
        "min_energy_saved.met",
        "年节能 {value} tce ≥ 最低要求 {min}",
    ),
    (
        "min_energy_saved.short",
        "年节能 {value} tce < 最低要求 {min}",
    ),
    (
        "min_reduction_intensity.met",
        "每万元投资年减排 {value} tCO2 ≥ 最低要求 {min}",
    ),
    (
        "min_reduction_intensity.short",
        "每万元投资年减排 {value} tCO2 < 最低要求 {min}",
    ),
    (
        "capex_range.within",
        "投资额 {capex} 元在 [{min}, {max}] 范围内",
    ),
    (
        "capex_range.outside",
        "投资额 {capex} 元不在 [{min}, {max}] 范围内",
    ),
    ("min_quota_pledge.met", "可质押配额 {value} tCO2（≥ {min}）"),
    (
        "min_quota_pledge.short",
        "可质押配额仅 {value} tCO2（< {min}）",
    ),
    ("min_quota_pledge.none", "企业未申报可质押配额"),
    ("operation_by.met", "投运日期 {start} 不晚于截止日 {latest}"),
    ("operation_by.late", "投运日期 {start} 晚于截止日 {latest}"),
];

/// A rule's reason in the page's language: the English text as computed, the Chinese
/// template of its code with its parameters (the English text when the code is unknown).
fn rule_reason(lang: Lang, c: &RuleCheck) -> String {
    let zh = REASONS_ZH.iter().find(|(code, _)| *code == c.code);
    match (lang, zh) {
        (Lang::Zh, Some((_, template))) => c
            .args
            .iter()
            .fold(template.to_string(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            }),
        _ => c.reason.clone(),
    }
}

pub const STRINGS: &[Entry] = &[
    ("fin.rule.region", "地区", "Region"),
    ("fin.rule.category", "支持目录", "Category"),
    ("fin.rule.project_kind", "项目类型", "Project kind"),
    ("fin.rule.climate_project", "气候项目", "Climate project"),
    (
        "fin.rule.min_annual_reduction",
        "最低年减排量",
        "Minimum annual reduction",
    ),
    (
        "fin.rule.min_energy_saved",
        "最低年节能量",
        "Minimum energy saved",
    ),
    (
        "fin.rule.min_reduction_intensity",
        "最低减排强度",
        "Minimum reduction intensity",
    ),
    ("fin.rule.capex_range", "投资额范围", "Capex range"),
    (
        "fin.rule.min_quota_pledge",
        "最低可质押配额",
        "Minimum pledgeable allowances",
    ),
    ("fin.rule.operation_by", "投运期限", "Operation deadline"),
    ("nav.finance", "气候投融资", "Climate finance"),
    ("nav.matching", "银企对接", "Bank matching"),
    (
        "fin.library",
        "气候投融资项目库",
        "Climate finance project library",
    ),
    (
        "fin.library_hint",
        "预期减排量由核算引擎按基准与项目能耗计算（非填报），并按《绿色金融支持项目目录（2025年版）》打标签。",
        "Expected reductions are computed by the accounting engine from baseline vs project energy (never typed in) and tagged against the Green Finance Support Catalogue (2025 edition).",
    ),
    ("fin.kind", "项目类型", "Project type"),
    ("fin.category", "目录类别", "Catalogue category"),
    ("fin.park", "园区", "Park"),
    ("fin.status", "融资状态", "Financing status"),
    ("fin.any", "全部", "All"),
    ("fin.filter", "筛选", "Filter"),
    ("fin.project", "项目", "Project"),
    ("fin.org", "企业", "Enterprise"),
    ("fin.capex", "总投资（万元）", "Capex (10k yuan)"),
    ("fin.tce", "年节能量（tce）", "Energy saved (tce/yr)"),
    ("fin.tco2", "年减排量（tCO2）", "Reduction (tCO2/yr)"),
    ("fin.intensity", "tCO2/万元", "tCO2 per 10k yuan"),
    (
        "fin.no_projects",
        "没有符合条件的项目。",
        "No project matches.",
    ),
    ("status.none", "未申请", "Not applied"),
    ("status.submitted", "已提交", "Submitted"),
    ("status.under_review", "审查中", "Under review"),
    ("status.approved", "已批准", "Approved"),
    ("status.rejected", "已拒绝", "Rejected"),
    ("status.disbursed", "已放款", "Disbursed"),
    ("status.repaying", "还款中", "Repaying"),
    ("status.closed", "已结清", "Closed"),
    ("fin.expected", "预期年减排", "Expected reduction"),
    ("fin.monitored", "累计监测减排", "Monitored to date"),
    ("fin.performance", "完成率", "Performance"),
    (
        "fin.mrv",
        "贷后监测（MRV）：月度预期与监测减排",
        "MRV: monthly expected vs monitored reductions",
    ),
    ("fin.mrv_expected", "预期减排", "Expected"),
    ("fin.mrv_monitored", "监测减排", "Monitored"),
    ("fin.mrv_behind", "落后月份", "Behind"),
    ("fin.source", "数据来源", "Source"),
    (
        "fin.source.meter",
        "计量表（月度读数）",
        "Meters (monthly readings)",
    ),
    ("fin.source.ledger", "企业能源台账", "Enterprise ledger"),
    ("fin.alert", "预警", "Alert"),
    ("fin.on_track", "按预期完成", "On track"),
    ("fin.applications", "融资申请", "Applications"),
    ("fin.product", "金融产品", "Product"),
    ("fin.issuer", "发行机构", "Issuer"),
    ("fin.amount", "金额（元）", "Amount (yuan)"),
    ("fin.outstanding", "未偿本金（元）", "Outstanding (yuan)"),
    (
        "fin.no_applications",
        "暂无可见的融资申请。",
        "No application visible to you.",
    ),
    ("fin.tags", "目录标签", "Catalogue tags"),
    ("fin.climate", "气候项目", "Climate project"),
    ("fin.notes", "说明", "Notes"),
    (
        "fin.matching",
        "银企对接：产品 × 项目",
        "Bank matching: products x projects",
    ),
    (
        "fin.matching_hint",
        "评分 = 通过的资格条件数 / 条件总数；悬停或展开查看每条条件的理由。",
        "Score = eligibility rules passed / rules; hover or expand for the reason of every rule.",
    ),
    ("fin.eligible", "符合", "Eligible"),
    ("fin.not_eligible", "不符合", "Not eligible"),
    ("fin.offer", "可提供（元）", "Offer (yuan)"),
    ("fin.reasons", "条件与理由", "Rules and reasons"),
    (
        "fin.no_products",
        "你的机构尚未发布产品。",
        "Your institution has not published a product.",
    ),
    ("fin.operation", "投运", "In operation from"),
];

fn kind_label(lang: Lang, k: ProjectKind) -> String {
    match lang {
        Lang::Zh => k.name_zh().into(),
        Lang::En => k.key().replace('_', " "),
    }
}

fn status_label(lang: Lang, key: &str) -> &'static str {
    lang.t(&format!("status.{key}"))
}

fn wan(yuan: Decimal) -> String {
    num(yuan / Decimal::from(10_000), 0)
}

struct LibraryRowView {
    id: String,
    name: String,
    org: String,
    org_name: String,
    kind: String,
    tags: String,
    capex: String,
    tce: String,
    tco2: String,
    intensity: String,
    statuses: String,
}

#[derive(Template)]
#[template(path = "finance_library.html")]
struct LibraryBody {
    lang: Lang,
    kinds: Vec<(String, String, bool)>,
    categories: Vec<(String, String, bool)>,
    parks: Vec<(String, bool)>,
    statuses: Vec<(String, &'static str, bool)>,
    rows: Vec<LibraryRowView>,
}

fn options(values: Vec<(String, String)>, chosen: &Option<String>) -> Vec<(String, String, bool)> {
    values
        .into_iter()
        .map(|(k, label)| {
            let on = chosen.as_deref() == Some(k.as_str());
            (k, label, on)
        })
        .collect()
}

pub async fn library_page(
    page: Page,
    State(st): State<AppState>,
    Query(q): Query<LibraryQuery>,
) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let q2 = q.clone();
    let (rows, parks) = with_party(&st, who, move |s, p, who| {
        let rows = library(s, p, &q2)?;
        let parks: Vec<String> = s.parks(&who.access)?.into_iter().map(|p| p.name).collect();
        Ok((rows, parks))
    })
    .await
    .map_err(|e| PageError(e, lang))?;
    let catalogue = zp_app::finance::catalogue();
    let name_of = |code: &str| -> String {
        catalogue
            .get(code)
            .map(|c| match lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            })
            .unwrap_or_else(|| code.into())
    };
    let body = LibraryBody {
        lang,
        kinds: options(
            ProjectKind::ALL
                .iter()
                .map(|k| (k.key().to_string(), kind_label(lang, *k)))
                .collect(),
            &q.kind,
        ),
        categories: options(
            catalogue
                .categories
                .iter()
                .map(|c| (c.code.clone(), format!("{} {}", c.code, name_of(&c.code))))
                .collect(),
            &q.category,
        ),
        parks: parks
            .into_iter()
            .map(|p| {
                let on = q.park.as_deref() == Some(p.as_str());
                (p, on)
            })
            .collect(),
        statuses: std::iter::once("none")
            .chain(Status::ALL.iter().map(|s| s.key()))
            .map(|k| {
                (
                    k.to_string(),
                    status_label(lang, k),
                    q.status.as_deref() == Some(k),
                )
            })
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| {
                let v = &r.view;
                LibraryRowView {
                    id: v.project.id.clone(),
                    name: v.project.name.clone(),
                    org: v.project.org.to_string(),
                    org_name: r.org_name.clone(),
                    kind: kind_label(lang, v.project.kind),
                    tags: v
                        .tags
                        .iter()
                        .map(|t| format!("{} {}", t.code, name_of(&t.code)))
                        .collect::<Vec<_>>()
                        .join("; "),
                    capex: wan(v.project.capex_yuan),
                    tce: num(v.expected.energy_saved_tce, 1),
                    tco2: num(v.expected.total_tco2, 1),
                    intensity: num(v.expected.tco2_per_10k_yuan, 3),
                    statuses: if r.statuses.is_empty() {
                        status_label(lang, "none").into()
                    } else {
                        r.statuses
                            .iter()
                            .map(|s| status_label(lang, s))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                }
            })
            .collect(),
    };
    render(&page, lang.t("fin.library"), &body, &[])
}

/// What the MRV chart draws (embedded in the page).
#[derive(Serialize)]
struct ChartData {
    months: Vec<String>,
    expected: Vec<f64>,
    monitored: Vec<f64>,
    behind: Vec<bool>,
    labels: ChartLabels,
}

#[derive(Serialize)]
struct ChartLabels {
    expected: &'static str,
    monitored: &'static str,
    behind: &'static str,
    tco2: &'static str,
}

struct ApplicationRow {
    id: i64,
    product: String,
    issuer: String,
    amount: String,
    status: &'static str,
    status_key: String,
}

#[derive(Template)]
#[template(path = "finance_project.html")]
struct ProjectBody {
    lang: Lang,
    id: String,
    name: String,
    org: String,
    kind: String,
    location: String,
    operation_start: String,
    tags: Vec<(String, bool)>,
    expected_tco2: String,
    expected_tce: String,
    capex: String,
    monitored: String,
    performance: String,
    source: String,
    alert: Option<String>,
    notes: Vec<String>,
    applications: Vec<ApplicationRow>,
    chart: String,
}

/// MRV to the last month with monitored data (the current month when there is none).
fn mrv_to_date(
    s: &mut dyn zp_app::Store,
    dir: Option<&std::path::Path>,
    p: &Party,
    id: &str,
) -> Result<MrvView, AppError> {
    let now = this_month()?;
    let v = run_mrv(s, dir, p, id, None, now)?;
    match v.report.months.iter().rev().find(|m| !m.missing) {
        Some(last) if last.period < now => run_mrv(s, dir, p, id, None, last.period),
        _ => Ok(v),
    }
}

pub async fn project_page(
    page: Page,
    State(st): State<AppState>,
    Path(id): Path<String>,
) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let dir = st.config.readings_dir.clone();
    let (d, mrv) = with_party(&st, who, move |s, p, _| {
        let d = detail(s, p, &id)?;
        let mrv = mrv_to_date(s, dir.as_deref(), p, &id)?;
        Ok((d, mrv))
    })
    .await
    .map_err(|e| PageError(e, lang))?;
    let r = &mrv.report;
    let f = crate::format::f64_of;
    let chart = ChartData {
        months: r.months.iter().map(|m| m.period.to_string()).collect(),
        expected: r.months.iter().map(|m| f(m.expected_tco2)).collect(),
        monitored: r.months.iter().map(|m| f(m.monitored_tco2)).collect(),
        behind: r.months.iter().map(|m| m.behind).collect(),
        labels: ChartLabels {
            expected: lang.t("fin.mrv_expected"),
            monitored: lang.t("fin.mrv_monitored"),
            behind: lang.t("fin.mrv_behind"),
            tco2: "tCO2",
        },
    };
    let v = &d.view;
    let body = ProjectBody {
        lang,
        id: v.project.id.clone(),
        name: v.project.name.clone(),
        org: v.project.org.to_string(),
        kind: kind_label(lang, v.project.kind),
        location: v.project.location.clone(),
        operation_start: v.project.operation_start.to_string(),
        tags: v
            .tags
            .iter()
            .map(|t| (format!("{} {}", t.code, t.path_zh), t.climate))
            .collect(),
        expected_tco2: num(v.expected.total_tco2, 1),
        expected_tce: num(v.expected.energy_saved_tce, 1),
        capex: wan(v.project.capex_yuan),
        monitored: num(r.monitored_tco2, 1),
        performance: crate::format::pct(r.performance, 1),
        source: format!(
            "{}{}",
            lang.t(&format!("fin.source.{}", mrv.source)),
            if mrv.meters.is_empty() {
                String::new()
            } else {
                format!(" · {}", mrv.meters.join(", "))
            }
        ),
        alert: r.alert.clone(),
        notes: r.notes.clone(),
        applications: d
            .applications
            .iter()
            .map(|a| ApplicationRow {
                id: a.id,
                product: a.product_id.clone(),
                issuer: a.issuer.clone(),
                amount: num(zp_app::finance::fen_to_yuan(a.amount_fen), 2),
                status: status_label(lang, &a.status),
                status_key: a.status.clone(),
            })
            .collect(),
        chart: script_json(&chart),
    };
    render(&page, lang.t("fin.project"), &body, &["/assets/finance.js"])
}

struct MatchCell {
    eligible: bool,
    score: String,
    reasons: String,
}

struct MatchRow {
    project: String,
    cells: Vec<MatchCell>,
}

struct ProductDetail {
    id: String,
    name: String,
    matches: Vec<MatchDetail>,
}

struct MatchDetail {
    project: String,
    eligible: bool,
    score: String,
    offer: String,
    tco2: String,
    checks: Vec<(bool, String)>,
}

#[derive(Template)]
#[template(path = "finance_matching.html")]
struct MatchingBody {
    lang: Lang,
    products: Vec<(String, String)>,
    rows: Vec<MatchRow>,
    details: Vec<ProductDetail>,
}

fn score(m: &Match) -> String {
    let passed = m.checks.iter().filter(|c| c.passed).count();
    format!("{passed}/{}", m.checks.len())
}

pub async fn matching_page(page: Page, State(st): State<AppState>) -> PageResult {
    let lang = page.lang;
    let who = page.user.clone();
    let ranked = with_party(&st, who, move |s, p, _| {
        let mut out = Vec::new();
        for pr in super::visible_products(s, p, None)? {
            let m = rank_for_product(s, p, &pr.id)?;
            out.push((pr, m));
        }
        Ok(out)
    })
    .await
    .map_err(|e| PageError(e, lang))?;
    let mut projects: Vec<String> = ranked
        .iter()
        .flat_map(|(_, ms)| ms.iter().map(|m| m.project_id.clone()))
        .collect();
    projects.sort();
    projects.dedup();
    let rows = projects
        .iter()
        .map(|pid| MatchRow {
            project: pid.clone(),
            cells: ranked
                .iter()
                .map(|(_, ms)| {
                    let m = ms.iter().find(|m| &m.project_id == pid);
                    MatchCell {
                        eligible: m.is_some_and(|m| m.eligible),
                        score: m.map(score).unwrap_or_default(),
                        reasons: m
                            .map(|m| {
                                m.checks
                                    .iter()
                                    .map(|c| {
                                        let mark = if c.passed { "✓" } else { "✗" };
                                        format!("{mark} {}", rule_reason(lang, c))
                                    })
                                    .collect::<Vec<_>>()
                                    .join("\n")
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    let details = ranked
        .iter()
        .map(|(pr, ms)| ProductDetail {
            id: pr.id.clone(),
            name: pr.name.clone(),
            matches: ms
                .iter()
                .map(|m| MatchDetail {
                    project: m.project_id.clone(),
                    eligible: m.eligible,
                    score: score(m),
                    offer: num(m.offer_yuan, 0),
                    tco2: num(m.annual_reduction_tco2, 1),
                    checks: m
                        .checks
                        .iter()
                        .map(|c| {
                            let rule = lang.t_or(&format!("fin.rule.{}", c.rule), &c.rule);
                            (c.passed, format!("{rule}: {}", rule_reason(lang, c)))
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let body = MatchingBody {
        lang,
        products: ranked
            .iter()
            .map(|(p, _)| (p.id.clone(), p.name.clone()))
            .collect(),
        rows,
        details,
    };
    render(&page, lang.t("nav.matching"), &body, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_matching_reason_has_a_chinese_template_with_the_same_parameters() {
        let params = |t: &str| -> Vec<String> {
            t.split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
                .collect()
        };
        for (code, en) in zp_app::finance::MATCHING_REASONS_EN {
            let (_, zh) = REASONS_ZH
                .iter()
                .find(|(c, _)| c == code)
                .unwrap_or_else(|| panic!("no Chinese template for {code}"));
            let (mut a, mut b) = (params(en), params(zh));
            a.sort();
            b.sort();
            assert_eq!(a, b, "{code}: parameters of {en:?} and {zh:?}");
        }
        assert_eq!(REASONS_ZH.len(), zp_app::finance::MATCHING_REASONS_EN.len());
    }

    #[test]
    fn a_rule_reason_is_rendered_from_its_code_in_chinese_and_kept_in_english() {
        let c = RuleCheck {
            rule: "capex_range".into(),
            passed: true,
            reason: "capex 60000000 yuan is within [1000000, -]".into(),
            code: "capex_range.within".into(),
            args: [("capex", "60000000"), ("min", "1000000"), ("max", "-")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        assert_eq!(
            rule_reason(Lang::Zh, &c),
            "投资额 60000000 元在 [1000000, -] 范围内"
        );
        assert_eq!(rule_reason(Lang::En, &c), c.reason);
    }
}

//! The hazardous waste pages: the applications the caller sees (status, due date in
//! working days, overdue flag) with a form to apply, and one application with its checks,
//! the two provinces' decisions and its manifests (discrepancy flag), with the forms the
//! caller's role and scope allow. Forms post to the page routes, which call the same
//! handlers as the API and come back to the application (303), or show the refusal.

use super::{
    APPLICANTS, ApplyBody, DecideBody, ListQuery, OFFICERS, ReceiveBody, ShipBody, apply, decide,
    receive, rules, ship, today,
};
use crate::extract::{Form, Path, Query};
use crate::i18n::{Entry, Lang};
use crate::layout::{Page, PageError, PageResult, render};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zp_app::waste::{self as uc, ApplicationView, Decision, ManifestView, WasteStatus};
use zp_app::{Access, Role};
use zp_domain::{Decimal, Region};

pub(super) const STRINGS: &[Entry] = &[
    ("nav.waste", "危废转移", "Hazardous waste"),
    (
        "waste.title",
        "危险废物跨省转移",
        "Hazardous waste transfers across provinces",
    ),
    (
        "waste.hint",
        "审批期限按工作日计算（白名单 5 个工作日，其余按转移管理办法的法定期限）；移出地与接受地分别审批；每车次一张电子联单，接收重量超出容差即标记差异。",
        "Approval periods count working days (whitelisted: 5, others: the statutory period of the transfer rules); the exporting and the importing province each decide; one electronic manifest per shipment, a received weight beyond the tolerance is flagged.",
    ),
    ("waste.applications", "转移申请", "Applications"),
    ("waste.application", "转移申请", "Application"),
    ("waste.total", "申请数", "Applications"),
    ("waste.pending_count", "待审批", "Pending"),
    ("waste.overdue_count", "已超期", "Overdue"),
    ("waste.submitted", "申请日", "Submitted"),
    ("waste.route", "转移路线", "Route"),
    ("waste.code", "废物代码", "Waste code"),
    ("waste.tonnes", "数量（吨）", "Tonnes"),
    ("waste.status", "状态", "Status"),
    ("waste.status.pending", "审批中", "pending"),
    ("waste.status.approved", "已批准", "approved"),
    ("waste.status.rejected", "未批准", "rejected"),
    ("waste.whitelisted", "白名单", "Whitelisted"),
    ("waste.due", "办结期限", "Due date"),
    ("waste.overdue", "超期", "overdue"),
    (
        "waste.days_taken",
        "实际用时（工作日）",
        "Working days taken",
    ),
    ("waste.generator", "产生单位", "Generator"),
    ("waste.receiver", "接收单位", "Receiver"),
    ("waste.none", "暂无转移申请。", "No applications."),
    ("waste.show_year", "申请年份", "Submission year"),
    ("waste.apply", "提交转移申请", "Apply for a transfer"),
    ("waste.from_province", "移出地", "Exporting province"),
    ("waste.to_province", "接受地", "Importing province"),
    ("waste.planned_to", "计划转移截止日", "Planned until"),
    ("waste.transport", "运输方式", "Transport"),
    ("waste.purpose", "用途", "Purpose"),
    ("waste.purpose.utilise", "利用", "utilise"),
    ("waste.purpose.dispose", "处置", "dispose"),
    ("waste.submit", "提交", "Submit"),
    ("waste.permit", "经营许可证", "Permit"),
    ("waste.agreement", "白名单协议", "Whitelist agreement"),
    ("waste.checks", "自动校验", "Automatic checks"),
    ("waste.check", "校验项", "Check"),
    ("waste.passed", "结果", "Result"),
    ("waste.detail", "说明", "Detail"),
    ("waste.decisions", "两地审批", "Decisions"),
    ("waste.side.export", "移出地审批", "Exporting province"),
    ("waste.side.import", "接受地审批", "Importing province"),
    ("waste.undecided", "待审批", "not decided"),
    ("waste.approved", "同意", "approved"),
    ("waste.rejected", "不同意", "rejected"),
    ("waste.approve", "同意", "Approve"),
    ("waste.reject", "不同意", "Reject"),
    ("waste.reason", "理由", "Reason"),
    ("waste.date", "日期", "Date"),
    ("waste.by", "经办", "By"),
    ("waste.manifests", "电子联单", "Manifests"),
    ("waste.manifest", "联单", "Manifest"),
    ("waste.shipped", "交运（吨）", "Shipped (t)"),
    ("waste.shipped_on", "交运日", "Shipped on"),
    ("waste.transporters", "运输单位", "Transporters"),
    ("waste.received", "接收（吨）", "Received (t)"),
    ("waste.received_on", "接收日", "Received on"),
    ("waste.difference", "差额（吨）", "Difference (t)"),
    ("waste.discrepancy", "重量差异", "Discrepancy"),
    ("waste.no_manifests", "尚无联单。", "No manifests yet."),
    (
        "waste.ship",
        "交运（新联单）",
        "Hand over a shipment (new manifest)",
    ),
    (
        "waste.transporters_hint",
        "运输单位，按顺序，用分号分隔",
        "Transporters in order, separated by semicolons",
    ),
    ("waste.receive", "签收", "Sign for it"),
    ("waste.tolerance", "重量容差", "Weight tolerance"),
    ("waste.yes", "是", "yes"),
    ("waste.no", "否", "no"),
    ("waste.ok", "通过", "passed"),
    ("waste.failed", "未通过", "failed"),
];

/// A status as shown: its key (for tests and styling) and label.
fn status_label(s: WasteStatus, lang: Lang) -> (&'static str, &'static str) {
    let key = s.as_str();
    (key, lang.t(&format!("waste.status.{key}")))
}

fn route(a: &ApplicationView, lang: Lang) -> String {
    format!(
        "{} → {}",
        lang.region(a.from_province),
        lang.region(a.to_province)
    )
}

fn tonnes(t: Decimal) -> String {
    t.normalize().to_string()
}

/// One application in the list.
struct Row {
    id: i64,
    submitted: String,
    route: String,
    code: String,
    tonnes: String,
    status_key: &'static str,
    status: &'static str,
    whitelisted: bool,
    due: String,
    overdue: bool,
    generator: String,
    receiver: String,
}

#[derive(Template)]
#[template(path = "waste.html")]
struct ListBody {
    lang: Lang,
    csrf: String,
    rows: Vec<Row>,
    pending: usize,
    overdue: usize,
    year: String,
    can_apply: bool,
    /// An enterprise user applies for its own enterprise only.
    own: Option<String>,
    provinces: Vec<(&'static str, &'static str)>,
    today: String,
}

fn may(page: &Page, roles: &[Role]) -> bool {
    page.user.role().can_write() && roles.contains(&page.user.role())
}

pub(super) async fn list_page(
    page: Page,
    State(st): State<AppState>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = page.lang;
    let c = page.user.caller();
    let as_of = q.today.unwrap_or_else(today);
    let year = q.year;
    let list = st
        .run(move |s| Ok(uc::applications(s, &c, year, as_of)?))
        .await
        .map_err(|e| PageError(e, lang))?;
    let rows: Vec<Row> = list
        .iter()
        .map(|a| {
            let (status_key, status) = status_label(a.status, lang);
            Row {
                id: a.id,
                submitted: a.submitted_on.to_string(),
                route: route(a, lang),
                code: a.code.clone(),
                tonnes: tonnes(a.tonnes_t),
                status_key,
                status,
                whitelisted: a.whitelisted,
                due: a.due_date.to_string(),
                overdue: a.overdue,
                generator: a.generator.to_string(),
                receiver: a.receiver.to_string(),
            }
        })
        .collect();
    let own = match &page.user.access {
        Access::Org(c) => Some(c.to_string()),
        _ => None,
    };
    let body = ListBody {
        lang,
        csrf: page.csrf.clone(),
        pending: list
            .iter()
            .filter(|a| a.status == WasteStatus::Pending)
            .count(),
        overdue: list.iter().filter(|a| a.overdue).count(),
        rows,
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        can_apply: may(&page, APPLICANTS),
        own,
        provinces: Region::all()
            .filter(|r| !r.is_national() && !r.is_grid())
            .map(|r| (r.code(), lang.region(r)))
            .collect(),
        today: today().to_string(),
    };
    render(&page, lang.t("nav.waste"), &body, &[])
}

/// One province's side as shown, and whether the caller may decide it now.
struct SideRow {
    side: &'static str,
    label: &'static str,
    province: &'static str,
    decision: Option<Decision>,
    can_decide: bool,
}

struct ManifestRow {
    id: i64,
    shipped: String,
    shipped_on: String,
    transporters: String,
    received: String,
    received_on: String,
    difference: String,
    discrepancy: bool,
    can_receive: bool,
}

#[derive(Template)]
#[template(path = "waste_application.html")]
struct DetailBody {
    lang: Lang,
    csrf: String,
    a: ApplicationView,
    status_key: &'static str,
    status: &'static str,
    route: String,
    purpose: &'static str,
    tonnes: String,
    shipped: String,
    received: String,
    days_taken: String,
    sides: Vec<SideRow>,
    manifests: Vec<ManifestRow>,
    tolerance_pct: String,
    can_ship: bool,
    today: String,
}

/// Whether `access` covers the enterprise `code` as a party of the transfer (the use
/// case decides; this only chooses which forms to show).
fn acts_for(access: &Access, code: &zp_domain::CreditCode) -> bool {
    match access {
        Access::All | Access::Park(_) => true,
        Access::Org(c) => c == code,
        Access::Region(_) => false,
    }
}

fn decides_for(access: &Access, province: Region) -> bool {
    match access {
        Access::All => true,
        Access::Region(r) => *r == province,
        _ => false,
    }
}

fn manifest_row(m: &ManifestView, may_receive: bool) -> ManifestRow {
    let opt = |v: Option<Decimal>| v.map(tonnes).unwrap_or_else(|| "—".into());
    ManifestRow {
        id: m.id,
        shipped: tonnes(m.shipped_tonnes),
        shipped_on: m.shipped_on.to_string(),
        transporters: m.transporters.join(" → "),
        received: opt(m.received_tonnes),
        received_on: m
            .received_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        difference: opt(m.difference_tonnes),
        discrepancy: m.discrepancy,
        can_receive: may_receive && m.received_tonnes.is_none(),
    }
}

pub(super) async fn detail_page(
    page: Page,
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = page.lang;
    let c = page.user.caller();
    let d = st
        .run(move |s| Ok(uc::detail(s, &c, id, today(), &rules())?))
        .await
        .map_err(|e| PageError(e, lang))?;
    let a = d.application;
    let access = &page.user.access;
    let pending = a.status == WasteStatus::Pending;
    let officer = may(&page, OFFICERS);
    let sides = [
        ("export", a.from_province, a.export.clone()),
        ("import", a.to_province, a.import.clone()),
    ]
    .into_iter()
    .map(|(side, province, decision)| SideRow {
        side,
        label: lang.t(&format!("waste.side.{side}")),
        province: lang.region(province),
        can_decide: officer && pending && decision.is_none() && decides_for(access, province),
        decision,
    })
    .collect();
    let party = may(&page, APPLICANTS);
    let may_receive = party && acts_for(access, &a.receiver);
    let (status_key, status) = status_label(a.status, lang);
    let body = DetailBody {
        lang,
        csrf: page.csrf.clone(),
        status_key,
        status,
        route: route(&a, lang),
        purpose: lang.t(&format!("waste.purpose.{}", a.purpose.as_str())),
        tonnes: tonnes(a.tonnes_t),
        shipped: tonnes(a.shipped_t),
        received: tonnes(a.received_t),
        days_taken: a
            .working_days_taken
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        sides,
        manifests: d
            .manifests
            .iter()
            .map(|m| manifest_row(m, may_receive))
            .collect(),
        tolerance_pct: rules().manifest.discrepancy_tolerance_pct.to_string(),
        can_ship: party && a.status == WasteStatus::Approved && acts_for(access, &a.generator),
        today: today().to_string(),
        a,
    };
    let title = format!("{} #{}", lang.t("waste.application"), id);
    render(&page, &title, &body, &[])
}

fn back(id: i64) -> axum::response::Response {
    Redirect::to(&format!("/waste/{id}")).into_response()
}

pub(super) async fn apply_form(
    page: Page,
    State(st): State<AppState>,
    Form(f): Form<ApplyBody>,
) -> PageResult {
    let lang = page.lang;
    let v = apply(&st, page.user, f)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(back(v.id))
}

/// The decision form: a verdict button and, for a rejection, the reason.
#[derive(Deserialize)]
pub(super) struct DecideForm {
    side: Option<String>,
    verdict: Option<String>,
    reason: Option<String>,
    date: Option<String>,
}

pub(super) async fn decide_form(
    page: Page,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    let lang = page.lang;
    let reject = f.verdict.as_deref() == Some("reject");
    if reject && f.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(PageError(
            AppError::BadRequest("a rejection needs a reason".into()),
            lang,
        ));
    }
    let body = DecideBody {
        side: f.side,
        approve: Some(f.verdict.as_deref() == Some("approve")),
        reject: if reject { f.reason } else { None },
        date: f
            .date
            .map(|d| d.trim().parse())
            .transpose()
            .map_err(|e| PageError(AppError::BadRequest(format!("date: {e}")), lang))?,
    };
    decide(&st, page.user, id, body)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct ShipForm {
    tonnes: Option<String>,
    date: Option<String>,
    transporters: Option<String>,
}

fn form_decimal(field: &str, v: Option<&str>) -> Result<Option<Decimal>, AppError> {
    v.map(|s| {
        s.trim()
            .parse::<Decimal>()
            .map_err(|e| AppError::BadRequest(format!("{field} {s:?}: {e}")))
    })
    .transpose()
}

fn form_date(v: Option<&str>) -> Result<Option<zp_domain::time::Date>, AppError> {
    v.map(|s| {
        s.trim()
            .parse()
            .map_err(|e| AppError::BadRequest(format!("date {s:?}: {e}")))
    })
    .transpose()
}

pub(super) async fn ship_form(
    page: Page,
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<ShipForm>,
) -> PageResult {
    let lang = page.lang;
    let body = (|| {
        Ok::<_, AppError>(ShipBody {
            tonnes: form_decimal("tonnes", f.tonnes.as_deref())?,
            date: form_date(f.date.as_deref())?,
            transporters: f
                .transporters
                .as_deref()
                .unwrap_or("")
                .split([';', '；', '\n'])
                .map(String::from)
                .collect(),
        })
    })()
    .map_err(|e| PageError(e, lang))?;
    ship(&st, page.user, id, body)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(back(id))
}

#[derive(Deserialize)]
pub(super) struct ReceiveForm {
    tonnes: Option<String>,
    date: Option<String>,
}

pub(super) async fn receive_form(
    page: Page,
    State(st): State<AppState>,
    Path(manifest): Path<i64>,
    Form(f): Form<ReceiveForm>,
) -> PageResult {
    let lang = page.lang;
    let body = (|| {
        Ok::<_, AppError>(ReceiveBody {
            tonnes: form_decimal("tonnes", f.tonnes.as_deref())?,
            date: form_date(f.date.as_deref())?,
        })
    })()
    .map_err(|e| PageError(e, lang))?;
    let m = receive(&st, page.user, manifest, body)
        .await
        .map_err(|e| PageError(e, lang))?;
    Ok(back(m.application_id))
}

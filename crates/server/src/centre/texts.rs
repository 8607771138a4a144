//! The centre's texts in the page's language: recorded alerts from their figures, budget
//! warnings and energy-flow notes from their codes (Chinese templates here, the English of
//! the use-case layer otherwise).

use crate::format;
use crate::i18n::Lang;

/// A recorded alert in the page's language, from the figures it recorded (`detail`); the
/// recorded English text where they cannot be read.
pub(super) fn alert_text(lang: Lang, a: &zp_app::NewAlert) -> String {
    let detail: serde_json::Value = serde_json::from_str(&a.detail).unwrap_or_default();
    let one = |k: &str| detail[k].as_f64().map(|x| format!("{x:.1}"));
    let finding = detail["finding"].as_str().unwrap_or_default();
    match (a.kind.as_str(), finding, one("baseline_kwh")) {
        ("meter", "high" | "low" | "missing", Some(baseline)) => lang.fill(
            &format!("ctr.alert.{finding}"),
            &[
                ("meter", &a.subject),
                ("day", &a.day),
                ("kwh", &one("kwh").unwrap_or_default()),
                ("baseline", &baseline),
                ("z", &one("z").unwrap_or_default()),
            ],
        ),
        ("budget", _, _) if lang == Lang::Zh => {
            let warnings: Vec<zp_app::note::Note> =
                serde_json::from_value(detail["warnings"].clone()).unwrap_or_default();
            let name = detail["name"].as_str().unwrap_or_default();
            if warnings.is_empty() {
                return a.message.clone();
            }
            let lines: Vec<String> = warnings.iter().map(|n| over_text(lang, n)).collect();
            format!("{} {name}：{}", a.credit_code, lines.join("；"))
        }
        _ => a.message.clone(),
    }
}

/// A budget warning (`budget.over.energy`, `budget.over.carbon` of
/// `zp_app::budget::WARNINGS_EN`) in the page's language.
fn over_text(lang: Lang, n: &zp_app::note::Note) -> String {
    let what = n.code.strip_prefix("budget.over.").unwrap_or(&n.code);
    let arg = |k: &str| n.args.get(k).map(String::as_str).unwrap_or_default();
    let basis = lang.t(&format!("ctr.basis.{}", arg("basis")));
    lang.fill(
        &format!("ctr.over.{what}"),
        &[
            ("basis", basis),
            ("value", arg("value")),
            ("year", arg("year")),
            ("budget", arg("budget")),
            ("over", arg("over")),
        ],
    )
}

/// The Chinese of each note code of `zp_app::flows::NOTES_EN`; references in backticks.
const FLOW_NOTES_ZH: &[(&str, &str)] = &[
    (
        "flow.conversion",
        "电力按 {kgce_per_kwh} kgce/kWh 折算为标准煤（`{factor}`）；燃料及外购热力按盘查口径计入；燃料未分项计量，整体计入燃料及热力用能",
    ),
    (
        "flow.metered",
        "{count} 家企业的电力来自计量：电网购入 = 逐时段总表用电与储能充电之和减去自发电与储能放电，最小为 0",
    ),
    (
        "flow.from_ledger",
        "{count} 家企业 {year} 年没有用电读数：电力取自台账，未分项计量",
    ),
    ("flow.no_energy", "{scope} {year} 年没有能耗记录"),
];

/// The notes of an energy flow in the page's language, as prose and references.
pub(super) fn flow_note(lang: Lang, f: &zp_app::flows::EnergyFlowReport) -> Vec<(bool, String)> {
    let text = match lang {
        Lang::Zh => f
            .note_codes
            .iter()
            .zip(&f.notes)
            .map(|(n, en)| lang.note(n, FLOW_NOTES_ZH, en))
            .collect::<Vec<_>>()
            .join("；"),
        Lang::En => return vec![(false, f.notes.join("; "))],
    };
    format::code_pieces(&text)
}

/// The budget lines over their budget, in the page's language.
pub(super) fn over_budget_text(lang: Lang, year: i32, r: &zp_app::budget::BudgetReport) -> String {
    let n = |d: zp_domain::Decimal| d.round_dp(4).normalize().to_string();
    [("ctr.over.energy", &r.tce), ("ctr.over.carbon", &r.tco2)]
        .into_iter()
        .filter_map(|(key, l)| {
            let over = l.over_budget?;
            let forecast_leads = l.forecast.is_some_and(|f| f >= l.actual);
            let basis = if forecast_leads { "forecast" } else { "actual" };
            Some(lang.fill(
                key,
                &[
                    ("basis", lang.t(&format!("ctr.basis.{basis}"))),
                    ("value", &n(l.forecast.unwrap_or(l.actual).max(l.actual))),
                    ("year", &year.to_string()),
                    ("budget", &n(l.budget)),
                    ("over", &n(over)),
                ],
            ))
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flow_note_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(zp_app::flows::NOTES_EN, FLOW_NOTES_ZH);
    }

    #[test]
    fn a_budget_alert_is_rendered_from_its_warnings_in_chinese_and_kept_in_english() {
        let warning = zp_app::note::Note::new(
            "budget.over.energy",
            &[
                ("basis", "forecast".into()),
                ("value", "81996.69".into()),
                ("year", "2023".into()),
                ("budget", "77897".into()),
                ("over", "4099.69".into()),
            ],
        );
        let en = warning.text(zp_app::budget::WARNINGS_EN);
        let a = zp_app::NewAlert {
            key: "budget/X/2023/10".into(),
            kind: "budget".into(),
            credit_code: "91500112MA6100037A".into(),
            subject: "2023".into(),
            day: "2023-10-31".into(),
            message: format!("91500112MA6100037A 示范: {en}"),
            detail: serde_json::json!({"name": "示范", "warnings": [warning]}).to_string(),
        };
        assert_eq!(
            alert_text(Lang::Zh, &a),
            "91500112MA6100037A 示范：能耗：年末预测 81996.69 tce，超出 2023 年预算 77897 tce，超出 4099.69 tce"
        );
        assert_eq!(alert_text(Lang::En, &a), a.message);
        assert_eq!(
            en,
            "energy: forecast 81996.69 tce exceeds the 2023 budget of 77897 tce by 4099.69 tce"
        );
    }

    fn meter_alert(detail: &str) -> zp_app::NewAlert {
        zp_app::NewAlert {
            key: "meter/M1/2023-06-14".into(),
            kind: "meter".into(),
            credit_code: "91500112MA6100037A".into(),
            subject: "M1".into(),
            day: "2023-06-14".into(),
            message: "meter M1 on 2023-06-14: recorded English".into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn alerts_are_rendered_from_their_figures_in_the_page_language() {
        let a = meter_alert(
            r#"{"meter":"M1","date":"2023-06-14","finding":"high","kwh":112727.2,"baseline_kwh":70716.2,"z":19.8,"reference_days":20}"#,
        );
        assert_eq!(
            alert_text(Lang::Zh, &a),
            "计量表 M1 2023-06-14：112727.2 kWh，高于其基线 70716.2 kWh（标准分数 19.8）"
        );
        assert_eq!(
            alert_text(Lang::En, &a),
            "meter M1 on 2023-06-14: 112727.2 kWh, above its baseline of 70716.2 kWh (z = 19.8)"
        );
        let missing = meter_alert(r#"{"finding":"missing","kwh":null,"baseline_kwh":50.24}"#);
        assert_eq!(
            alert_text(Lang::Zh, &missing),
            "计量表 M1 2023-06-14：无读数（基线 50.2 kWh）"
        );
        // Figures that cannot be read: the recorded text, not an empty line.
        let odd = meter_alert("not json");
        assert_eq!(alert_text(Lang::Zh, &odd), odd.message);
    }
}

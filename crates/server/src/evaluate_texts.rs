//! The evaluation page's sentences in the page's language (issue 14, one language per
//! page): the set's reasons, why a value is missing, the gap actions with their arithmetic
//! and notes, and the plan's notes. `zp_evaluate` writes them in English from
//! `zp_evaluate::TEXTS_EN`; the page recognises each sentence's code and parameters and
//! writes the Chinese template of the code, naming indicators by their Chinese names and
//! bands by their Chinese labels where the set gives them.

use crate::i18n::Lang;
use zp_app::evaluate::IndicatorResult;

/// The Chinese of every code of `zp_evaluate::TEXTS_EN`. Values in backticks are codes
/// (sources, files' columns, units as given).
pub(crate) const TEXTS_ZH: &[(&str, &str)] = &[
    ("eval.veto_missing", "否决项「{id}」缺少数据"),
    ("eval.veto_failed", "否决项「{id}」未通过"),
    (
        "eval.outside_scope",
        "不在指标体系的适用范围内：{basis} = {value}，属于区间「{band}」",
    ),
    (
        "eval.accounts_incomplete",
        "核算不完整（部分台账行无法核算，见核算说明）",
    ),
    (
        "eval.incomplete_data",
        "指标体系要求数据完整；缺少：{missing}",
    ),
    ("eval.score_below", "得分 {score} 低于 {min}"),
    ("missing.no_accounts", "该范围和期间没有核算结果"),
    ("missing.undefined", "{source} 无法计算（分母为零或未知）"),
    ("missing.no_data", "没有 {period} 年的 {source} 数据"),
    (
        "missing.unit",
        "{source} 的单位为 {given}，指标体系要求 {unit}",
    ),
    ("missing.band_basis", "规模区间的依据：{why}"),
    ("missing.no_band", "{basis} = {value} 不在任何区间内"),
    (
        "gap.enter_scope",
        "本范围属于区间「{band}」，该指标体系不覆盖；请选用覆盖该规模的指标体系评价",
    ),
    (
        "gap.provide_data",
        "为 {scope} {period} 年提供「{name}」的数据及证明材料（数据 → 导入，类型「评价指标数据」，单位 {unit}）",
    ),
    (
        "gap.provide_accounts",
        "无法由 {scope} {period} 年的核算结果计算 {source}：{why}",
    ),
    (
        "gap.cut_emissions",
        "在能源消费不变的情况下每年减排 {amount} tCO2",
    ),
    (
        "gap.cut_emissions.market",
        "允许排放 = {threshold} tCO2/tce × {energy} tce = {allowed} tCO2；排放（范围一 + 范围二，基于市场）= {emissions} tCO2；需减排 = {emissions} − {allowed} = {cut} tCO2",
    ),
    (
        "gap.cut_emissions.location",
        "允许排放 = {threshold} tCO2/tce × {energy} tce = {allowed} tCO2；排放（范围一 + 范围二，基于位置）= {emissions} tCO2；需减排 = {emissions} − {allowed} = {cut} tCO2",
    ),
    (
        "gap.no_uncovered_grid",
        "没有未被证书覆盖的电网购电：清洁电力无法进一步降低强度，减排须来自燃料和工艺",
    ),
    (
        "gap.clean_for_grid",
        "每年新增 {energy} 清洁电力，替代电网购电",
    ),
    (
        "gap.clean_for_grid.arithmetic",
        "未被证书覆盖的电网购电：{grid_tco2} tCO2 ÷ {uncovered} MWh = {factor} tCO2/MWh（基于市场）；{cut} tCO2 ÷ {factor} tCO2/MWh = {mwh} MWh",
    ),
    (
        "gap.clean_for_grid.short",
        "可替代的电网购电仅剩 {uncovered} MWh（全部替代可减排 {grid_tco2} tCO2）；其余 {rest} tCO2 须来自燃料和工艺",
    ),
    (
        "gap.clean_energy",
        "每年新增 {energy} 清洁电力（或 {tce} tce 清洁热力），替代其他能源",
    ),
    (
        "gap.clean_energy.arithmetic",
        "所需清洁能源 = {threshold} × {energy} tce = {needed} tce；现有清洁能源 = {clean} tce；{needed} − {clean} = {gap} tce；÷ {coefficient} tce/MWh = {mwh} MWh",
    ),
    (
        "gap.clean_energy.short",
        "超过未被证书覆盖的电网购电 {uncovered} MWh：燃料用能也须电气化或改用清洁热力",
    ),
    (
        "gap.clean_electricity",
        "每年新增 {energy} 清洁电力（自发自用可再生能源或注销的绿证）",
    ),
    (
        "gap.clean_electricity.arithmetic",
        "所需 = {threshold} × {electricity} MWh = {needed} MWh；现有清洁电力 = {clean} MWh；{needed} − {clean} = {gap} MWh",
    ),
    ("gap.cut_energy", "在产值不变的情况下每年节能 {amount} tce"),
    (
        "gap.cut_energy.arithmetic",
        "允许能耗 = {threshold} tce/万元 × {output} 万元 = {allowed} tce；{energy} − {allowed} = {cut} tce",
    ),
    (
        "gap.raise_output",
        "在能源消费不变的情况下增加产值 {amount} 万元",
    ),
    (
        "gap.raise_output.arithmetic",
        "{energy} tce ÷ {threshold} tce/万元 = {needed} 万元；{needed} − {output} = {rise}",
    ),
    ("gap.meet_requirement", "满足要求「{name}」并保存证明材料"),
    (
        "gap.meet_requirement.arithmetic",
        "当前值 {value}，要求 {comparison} {threshold}",
    ),
    ("gap.lower", "将「{id}」从 {value} 降至 {threshold} {unit}"),
    (
        "gap.lower.strict",
        "将「{id}」从 {value} 降至低于 {threshold} {unit}",
    ),
    (
        "gap.raise",
        "将「{id}」从 {value} 提高到 {threshold} {unit}",
    ),
    (
        "gap.raise.strict",
        "将「{id}」从 {value} 提高到高于 {threshold} {unit}",
    ),
    ("gap.difference", "|{threshold} − {value}| = {delta} {unit}"),
    ("gap.strict", "恰好等于阈值不算达标（严格比较）"),
    (
        "plan.note.market_factor",
        "措施效果按电网购电的市场因子 {factor} tCO2/MWh 计算（本范围未被证书覆盖的电网购电）；能源消费保持基准年水平",
    ),
    (
        "plan.note.fallback_factor",
        "措施效果按电网购电的市场因子 {factor} tCO2/MWh 计算（备用因子：本范围没有未被证书覆盖的电网购电）；能源消费保持基准年水平",
    ),
    (
        "plan.note.infeasible",
        "现有措施无法达到目标：所示组合是这些措施能达到的最大减排",
    ),
];

/// An indicator's unit as a page shows it: the catalogue's label of a unit it knows
/// (`tce/10k yuan`, `h/person`, ...), else the unit as the set gives it.
pub(crate) fn unit_label(lang: Lang, unit: &str) -> String {
    let key = format!("eval.unit.{unit}");
    if crate::i18n::has(&key) {
        lang.t(&key).to_string()
    } else {
        unit.to_string()
    }
}

/// Writes an evaluation's sentences in the page's language, naming its indicators.
pub(crate) struct Texts<'a> {
    pub lang: Lang,
    /// The evaluation's indicators (none for the plan's notes).
    pub indicators: &'a [IndicatorResult],
}

impl Texts<'_> {
    /// `text` as pieces, `true` where a piece is a code: English as it is, Chinese from the
    /// template of its code; a sentence no template wrote keeps its English as code after
    /// the label 原文.
    pub fn pieces(&self, text: &str) -> Vec<(bool, String)> {
        if text.is_empty() {
            return Vec::new();
        }
        match self.lang {
            Lang::En => vec![(false, text.to_string())],
            Lang::Zh => crate::format::code_pieces(&self.zh(text)),
        }
    }

    fn zh(&self, text: &str) -> String {
        let Some((code, args)) = zp_domain::template::recognise(text, zp_app::evaluate::TEXTS_EN)
        else {
            return format!("{}：`{text}`", self.lang.t("quarantine.original"));
        };
        let args = args
            .into_iter()
            .map(|(name, value)| {
                let shown = self.param(code, &name, &value);
                (name, shown)
            })
            .collect();
        zp_app::note::Note {
            code: code.to_string(),
            args,
        }
        .text(TEXTS_ZH)
    }

    /// A parameter's value as the Chinese sentence shows it.
    fn param(&self, template: &str, name: &str, value: &str) -> String {
        let code = |v: &str| format!("`{v}`");
        match name {
            // The unit to write in the indicator file is a value of its `unit` column.
            "unit" if template == "gap.provide_data" => code(value),
            "id" => self.indicator_name(value),
            "missing" => value
                .split(", ")
                .map(|id| self.indicator_name(id))
                .collect::<Vec<_>>()
                .join("、"),
            "band" => {
                let label = value.trim_matches('"');
                self.indicators
                    .iter()
                    .find(|i| i.band.as_deref() == Some(label))
                    .and_then(|i| i.band_zh.clone())
                    .unwrap_or_else(|| code(label))
            }
            // A data indicator's name (`provide_data`) or an indicator's English name
            // (`meet_requirement`).
            "name" => self
                .indicators
                .iter()
                .find(|i| i.source == format!("data.{value}") || i.name == value)
                .and_then(|i| i.name_zh.clone())
                .unwrap_or_else(|| code(value)),
            "why" => self.zh(value),
            // A fraction or a yes/no is a plain number in a sentence.
            "unit" if value == "fraction" || value == "bool" => String::new(),
            "unit" => match unit_label(self.lang, value) {
                shown if shown == value && !value.is_empty() => code(value),
                shown => shown,
            },
            "source" | "basis" | "given" => code(value),
            _ => value.to_string(),
        }
    }

    /// An indicator by its Chinese name, else its id as code.
    fn indicator_name(&self, id: &str) -> String {
        self.indicators
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.name_zh.clone())
            .unwrap_or_else(|| format!("`{id}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_evaluation_text_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(zp_app::evaluate::TEXTS_EN, TEXTS_ZH);
    }

    #[test]
    fn sentences_name_indicators_and_bands_in_chinese_and_keep_codes_as_code() {
        let indicator = IndicatorResult {
            id: "carbon_intensity_of_energy".into(),
            name: "Carbon emissions per unit of energy consumption".into(),
            name_zh: Some("单位能耗碳排放".into()),
            value: None,
            unit: "tCO2/tce".into(),
            comparison: None,
            threshold: None,
            band: Some("below 200,000 tce".into()),
            band_zh: Some("低于 20 万 tce".into()),
            band_basis_value: None,
            outside_scope: true,
            pass: false,
            status: zp_app::evaluate::IndicatorStatus::Fail,
            veto: true,
            source: "accounts.intensity_market_tco2_per_tce".into(),
            evidence: None,
            group: None,
            points: None,
            max_points: None,
            note: None,
        };
        let texts = Texts {
            lang: Lang::Zh,
            indicators: std::slice::from_ref(&indicator),
        };
        let zh = |t: &str| crate::format::pieces_text(texts.pieces(t));
        assert_eq!(
            zh("veto indicator carbon_intensity_of_energy failed"),
            "否决项「单位能耗碳排放」未通过"
        );
        assert_eq!(
            zh(
                "outside the set's scope: accounts.energy_tce = 15056.2 is in the band \"below 200,000 tce\""
            ),
            "不在指标体系的适用范围内：<accounts.energy_tce> = 15056.2，属于区间「低于 20 万 tce」"
        );
        // A nested reason (why a value is missing) is written in Chinese too.
        assert_eq!(
            zh(
                "accounts.clean_energy_share cannot be computed from the accounts of P 2023: no accounts for this scope and period"
            ),
            "无法由 P 2023 年的核算结果计算 <accounts.clean_energy_share>：该范围和期间没有核算结果"
        );
        assert_eq!(
            zh("lower water_use from 5 to beyond 3 fraction"),
            "将「<water_use>」从 5 降至低于 3 "
        );
        assert_eq!(zh("something else"), "原文：<something else>");
        assert!(
            texts.pieces("").is_empty(),
            "an action without arithmetic shows none"
        );
        assert_eq!(
            zh(
                "provide water_reuse for P 2023 with its evidence (`zeropark import indicators`, columns scope_id,indicator,period,value,unit,evidence; unit fraction)"
            ),
            "为 P 2023 年提供「<water_reuse>」的数据及证明材料（数据 → 导入，类型「评价指标数据」，单位 <fraction>）"
        );
        let en = Texts {
            lang: Lang::En,
            indicators: &[],
        };
        assert_eq!(
            crate::format::pieces_text(en.pieces("score 50 is below 60")),
            "score 50 is below 60"
        );
    }
}

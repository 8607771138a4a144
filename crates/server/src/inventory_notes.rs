//! An inventory's notes in the page's language (issue 14): the accounting core writes each
//! note in English from a template of its code (`zp_app::INVENTORY_NOTES_EN`); a park's
//! notes carry the enterprise's credit code in front (`{code}: {note}`). Here the code and
//! parameters are recognised and the Chinese template written, values as code; a note no
//! template wrote (an inventory stored before the templates) keeps its English, shown as
//! code after a Chinese label.

use crate::format::template_pieces;
use crate::i18n::Lang;

/// The Chinese of every code of `zp_app::INVENTORY_NOTES_EN`.
const NOTES_ZH: &[(&str, &str)] = &[
    (
        "inventory.factor_missing",
        "`{carrier}`：因子库缺少 `{what}`，其燃烧 CO2 未计入；请导入提供该因子的因子集",
    ),
    (
        "inventory.certificates_unverified",
        "{mwh} MWh 已注销的证书未注明序列号：已计入，但未与其他企业的声明核对",
    ),
    (
        "inventory.certificates_exceed",
        "{mwh} MWh 已注销的证书超过 {year} 年的电网购电量，超出部分未抵扣",
    ),
    (
        "inventory.onsite_sold",
        "{mwh} MWh 厂内可再生能源发电已签发为证书并由他方持有或注销：按剩余因子计价（基于市场法），不计入清洁电力占比（温室气体核算体系范围二指南）",
    ),
    (
        "inventory.coal_equivalent",
        "电力按等价值 {k} kgce/kWh（`{factor}`）折标准煤，而非当量值 0.1229；排放不变",
    ),
    (
        "inventory.coal_equivalent_note",
        "电力按等价值 {k} kgce/kWh（`{factor}`）折标准煤，而非当量值 0.1229；排放不变；`{note}`",
    ),
    ("inventory.factor_note", "因子 `{slot}`：`{note}`"),
];

/// One note as pieces of text, `true` where the piece is a code or value.
pub(crate) fn note_pieces(lang: Lang, note: &str) -> Vec<(bool, String)> {
    // A park's note: the enterprise's credit code, then its own note.
    match note.split_once(": ") {
        Some((code, rest)) if lang == Lang::Zh && zp_domain::CreditCode::parse(code).is_ok() => {
            let mut out = vec![(true, code.to_string()), (false, "：".to_string())];
            out.extend(template_pieces(
                lang,
                rest,
                zp_app::INVENTORY_NOTES_EN,
                NOTES_ZH,
            ));
            out
        }
        _ => template_pieces(lang, note, zp_app::INVENTORY_NOTES_EN, NOTES_ZH),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_note_code_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(zp_app::INVENTORY_NOTES_EN, NOTES_ZH);
    }

    #[test]
    fn notes_are_written_in_chinese_with_the_enterprise_code_kept() {
        let text = crate::format::pieces_text;
        assert_eq!(
            text(note_pieces(
                Lang::Zh,
                "91500112MA61000745: 11431 MWh of retired certificates name no serials: counted, but not checked against other enterprises' claims"
            )),
            "<91500112MA61000745>：11431 MWh 已注销的证书未注明序列号：已计入，但未与其他企业的声明核对"
        );
        assert_eq!(
            text(note_pieces(
                Lang::Zh,
                "2.5 MWh of retired certificates exceed the grid electricity of 2023 and were not applied"
            )),
            "2.5 MWh 已注销的证书超过 2023 年的电网购电量，超出部分未抵扣"
        );
        assert_eq!(
            text(note_pieces(Lang::Zh, "a note of long ago")),
            "原文：<a note of long ago>"
        );
        let en = "2.5 MWh of retired certificates exceed the grid electricity of 2023 and were not applied";
        assert_eq!(text(note_pieces(Lang::En, en)), en);
    }
}

//! UI languages: Simplified Chinese (default) and English.
//!
//! Strings are `(key, zh-CN, en)` triples: the common ones below, plus each area's own
//! [`crate::Area::strings`]. [`Lang::t`] looks a key up in all of them; a missing key shows
//! as the key itself (and a test checks that every key the templates use exists).

use axum::http::request::Parts;
use std::collections::HashMap;
use std::sync::OnceLock;

/// `(key, zh-CN, en)`.
pub type Entry = (&'static str, &'static str, &'static str);

/// The language cookie, set by `/lang/{code}`.
pub const LANG_COOKIE: &str = "zp_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The language of an API request ([`Lang::of`]), for answers that also carry texts in it.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of(parts))
    }
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// `zh-CN` or `en` (the `lang` attribute of the page).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The name of the language in itself (for the switch).
    pub fn label(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// The language of a request: `?lang=` first, then the cookie, else zh-CN.
    pub fn of(parts: &Parts) -> Lang {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        from_query
            .or_else(|| crate::auth::cookie(parts, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or_default()
    }

    /// The string of `key`, or `fallback` when the catalogue has none (a data value, such
    /// as an import kind, that may or may not have a label).
    pub fn t_or<'a>(self, key: &str, fallback: &'a str) -> &'a str {
        match table().get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => fallback,
        }
    }

    /// A message of the catalogue with its parameters: the string of `key` with each
    /// `{name}` replaced by its value (a reason as code + parameters, rendered in this
    /// language).
    pub fn fill(self, key: &str, args: &[(&str, &str)]) -> String {
        args.iter()
            .fold(self.t(key).to_string(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), value)
            })
    }

    /// The string `key` in this language.
    pub fn t(self, key: &str) -> &'static str {
        match table().get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!("missing UI string {key:?}");
                leak_key(key)
            }
        }
    }

    /// A note of the use-case layer in this language: in Chinese the template of its code
    /// in `zh` with its parameters filled, in English (or for a code without a Chinese
    /// template) the English the use case wrote.
    pub fn note(self, n: &zp_app::note::Note, zh: &[(&str, &str)], en: &str) -> String {
        match (self, zh.iter().find(|(code, _)| *code == n.code)) {
            (Lang::Zh, Some((_, template))) => zp_app::note::fill(template, &n.args),
            _ => en.to_string(),
        }
    }

    /// A tariff category (a code of the tariff file, e.g. `large_industrial`) in this
    /// language: its catalogue name, else the code.
    pub fn tariff_category(self, category: &str) -> String {
        self.t_or(&format!("tariff.category.{category}"), category)
            .to_string()
    }

    /// A region's name in this language.
    pub fn region(self, r: zp_domain::Region) -> &'static str {
        match self {
            Lang::Zh => r.name_zh(),
            Lang::En => r.name_en(),
        }
    }
}

/// Keys are `'static` in practice (string literals in templates); a missing one is
/// interned once so the UI shows it rather than failing.
fn leak_key(key: &str) -> &'static str {
    static MISSING: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let m = MISSING.get_or_init(Default::default);
    let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = m.get(key) {
        return s;
    }
    let s: &'static str = Box::leak(key.to_string().into_boxed_str());
    m.insert(key.to_string(), s);
    s
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| {
        COMMON
            .iter()
            .chain(crate::AREAS.iter().flat_map(|a| a.strings.iter()))
            .map(|(k, zh, en)| (*k, (*zh, *en)))
            .collect()
    })
}

/// Whether `key` is defined (a data value, such as an audited action, that may have no
/// label; and for tests).
pub fn has(key: &str) -> bool {
    table().contains_key(key)
}

/// Strings shared by every page.
pub const COMMON: &[Entry] = &[
    ("app.name", "零碳园区管理平台", "zeropark"),
    (
        "app.tagline",
        "园区双碳能源与碳排放管理",
        "Dual-carbon energy and emissions management for industrial parks",
    ),
    (
        "tariff.category.large_industrial",
        "大工业",
        "large industrial",
    ),
    (
        "tariff.category.general_industrial",
        "一般工商业",
        "general industrial",
    ),
    (
        "tariff.category.illustrative_demo",
        "示意电价（演示）",
        "illustrative (demo)",
    ),
    ("meter.kind.consumption", "用电", "Consumption"),
    ("meter.kind.generation", "发电", "Generation"),
    ("meter.kind.battery_charge", "储能充电", "Battery charge"),
    (
        "meter.kind.battery_discharge",
        "储能放电",
        "Battery discharge",
    ),
    ("export.csv", "导出 CSV", "Export CSV"),
    ("export.xlsx", "导出 Excel", "Export Excel"),
    ("export.failed", "导出失败", "Export failed"),
    ("nav.group.monitor", "监测", "Monitoring"),
    ("nav.group.accounts", "核算", "Accounts"),
    ("nav.group.evaluate", "评价审批", "Evaluation"),
    ("nav.group.finance", "金融", "Finance"),
    ("nav.group.data", "数据", "Data"),
    ("nav.group.system", "系统", "System"),
    ("nav.logout", "退出", "Log out"),
    ("nav.login", "登录", "Log in"),
    ("common.year", "年份", "Year"),
    ("common.park", "园区", "Park"),
    ("common.region", "地区", "Region"),
    ("common.enterprise", "企业", "Enterprise"),
    ("common.enterprises", "企业", "Enterprises"),
    ("common.industry", "行业", "Industry"),
    ("common.credit_code", "统一社会信用代码", "Credit code"),
    ("common.name", "名称", "Name"),
    ("common.show", "查看", "Show"),
    ("common.none", "暂无数据", "No data"),
    ("common.download_json", "JSON 数据", "JSON data"),
    ("common.role", "角色", "Role"),
    ("common.scope", "范围", "Scope"),
    ("common.all", "全部", "All"),
    ("common.file", "文件", "File"),
    ("common.row", "行", "Row"),
    ("common.field", "字段", "Field"),
    ("common.reason", "原因", "Reason"),
    ("common.time", "时间", "Time"),
    ("common.actor", "操作人", "Actor"),
    ("common.kind", "类型", "Kind"),
    ("common.value", "数值", "Value"),
    ("common.unit", "单位", "Unit"),
    ("common.source", "来源", "Source"),
    ("common.back", "返回", "Back"),
    ("unit.tce", "吨标准煤", "tce"),
    ("unit.tco2", "吨二氧化碳", "tCO2"),
    ("unit.tco2_per_tce", "tCO2/tce", "tCO2/tce"),
    ("unit.mwh", "兆瓦时", "MWh"),
    (
        "role.platform_admin",
        "平台管理员",
        "Platform administrator",
    ),
    ("role.region_officer", "地区主管部门", "Region officer"),
    ("role.park_admin", "园区管委会", "Park administrator"),
    ("role.enterprise_user", "企业用户", "Enterprise user"),
    ("role.bank", "银行（只读）", "Bank (read-only)"),
    ("role.verifier", "核查机构（只读）", "Verifier (read-only)"),
    (
        "error.not_found",
        "页面不存在或您无权查看",
        "Not found, or not visible to you",
    ),
    ("error.title", "出错了", "Something went wrong"),
    ("level.national", "国家级", "national"),
    ("level.provincial", "省级", "provincial"),
    ("level.municipal", "市级", "municipal"),
    ("designation.green_factory", "绿色工厂", "Green factory"),
    ("designation.green_park", "绿色园区", "Green park"),
    (
        "designation.green_supply_chain",
        "绿色供应链管理企业",
        "Green supply chain",
    ),
    (
        "designation.near_zero_carbon_pilot",
        "近零碳排放试点",
        "Near-zero carbon pilot",
    ),
    (
        "designation.zero_carbon_park",
        "零碳园区",
        "Zero-carbon park",
    ),
    (
        "footer.source",
        "开源 · Apache-2.0",
        "Open source · Apache-2.0",
    ),
];

/// Checks (for tests) that every code of `en` has a template in `zh` with the same
/// parameters, and `zh` no code `en` lacks.
pub fn assert_same_codes(en: &[(&str, &str)], zh: &[(&str, &str)]) {
    use zp_app::note::parameters;
    for (code, en) in en {
        let (_, zh) = zh
            .iter()
            .find(|(c, _)| c == code)
            .unwrap_or_else(|| panic!("no Chinese template for {code}"));
        assert_eq!(parameters(en), parameters(zh), "{code}: {en:?} and {zh:?}");
    }
    assert_eq!(en.len(), zh.len(), "codes of {zh:?}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_translate() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::Zh.t("nav.logout"), "退出");
        assert_eq!(Lang::En.t("nav.logout"), "Log out");
        assert_eq!(Lang::En.t("no.such.key"), "no.such.key");
    }

    #[test]
    fn keys_are_unique_across_areas() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in COMMON
            .iter()
            .chain(crate::AREAS.iter().flat_map(|a| a.strings.iter()))
        {
            assert!(seen.insert(*k), "UI string {k} defined twice");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }
}

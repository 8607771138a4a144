//! Quarantined rows' reasons in the page's language (issue 14): the code and parameters of
//! a stored English reason ([`zp_app::reasons::recognise`]) written from its Chinese
//! template here; values and names from the file in backticks, shown as code. A reason no
//! template wrote (a row stored before its importer had templates, an importer without
//! them) keeps its English, shown as code after a Chinese label.

use crate::format::code_pieces;
use crate::i18n::Lang;

/// The Chinese of every code of [`zp_app::reasons::templates`].
const REASONS_ZH: &[(&str, &str)] = &[
    // Rows that cannot be read.
    (
        "row.not_utf8",
        "字节偏移 {offset} 处的字节 `{byte}` 不是 UTF-8（文件按 UTF-8 读取）：此行未导入",
    ),
    (
        "row.unclosed_quote",
        "第 {column} 个字段第 {position} 个字符处的引号（\"）在本行内没有闭合",
    ),
    (
        "row.comma_too_many",
        "本行有 {fields} 个字段，表头只有 {columns} 个：多了逗号（1,000 这样的数字应写作 1000；含逗号的文本请加引号）",
    ),
    (
        "row.control_character",
        "`{field}` 第 {position} 个字符是控制字符 `U+{character}`：文本必须可打印",
    ),
    // Enterprises.
    (
        "org.unknown",
        "未登记的企业 `{code}`：请先用 `zeropark import orgs` 导入企业名录",
    ),
    (
        "org.invalid_code",
        "统一社会信用代码 `{code}` 无效：`{error}`",
    ),
    ("org.name_empty", "名称为空"),
    (
        "org.no_province",
        "地区为空，且行政区划码 `{division}` 不对应任何省份",
    ),
    (
        "org.industry",
        "`{industry}` 不是 GB/T 4754 行业代码（如 3011、C3011）",
    ),
    ("org.conflict", "`{code}` 已在第 {row} 行出现，且数据不同"),
    // Activity ledgers.
    ("quantity.empty", "数量为空"),
    (
        "quantity.thousands_separator",
        "`{value}` 含千位分隔符（,）：请写纯数字，如 1000 或 1234.5",
    ),
    (
        "quantity.too_precise",
        "`{value}` 超出台账数量可精确保存的 28 位小数和 28 位数字",
    ),
    ("quantity.not_a_number", "`{value}` 不是数字"),
    ("quantity.negative", "`{value}` 为负数"),
    ("quantity.implausible", "`{value}` 大得不合常理"),
    (
        "activity.carrier",
        "未知的能源品种 `{carrier}`（请使用 `electricity`、`natural_gas`、`raw_coal` 等代码或其中文名称）",
    ),
    (
        "activity.unit_for_carrier",
        "`{unit}` 不是 `{carrier}` 的单位（应为 `{dimension}` 量纲，如 `{example}`）",
    ),
    ("activity.conflict", "与本文件第 {row} 行的 `{key}` 冲突"),
    (
        "steam.pressure_needed",
        "蒸汽温度须同时给出压力 `pressure_mpa`（绝对压力）",
    ),
    (
        "steam.only",
        "`{field}` 只适用于蒸汽行，不适用于 `{carrier}`",
    ),
    (
        "serials.only",
        "证书编号只适用于 `green_certificate` 行，不适用于 `{carrier}`",
    ),
    (
        "serials.count",
        "编号列出 {count} 张证书，但数量为 {quantity} 张",
    ),
    // Meters.
    ("meter.id", "计量表编号 `{id}` 须为 1-64 个字符且不含逗号"),
    (
        "meter.kind",
        "类型 `{kind}` 须为 `consumption`、`generation`、`battery_charge` 或 `battery_discharge`",
    ),
    (
        "meter.source",
        "发电计量表须注明电源（`solar`、`wind`、`hydro` 等）",
    ),
    ("meter.own_parent", "计量表 `{id}` 不能是自己的上级表"),
    ("meter.end_use", "用途 `{end_use}` 须为以下之一：`{known}`"),
    (
        "meter.conflict",
        "计量表 `{id}` 已在第 {row} 行出现，且数据不同",
    ),
    // Hourly grid factors.
    ("grid.not_hour", "`{ts}` 不是整点"),
    ("grid.factor", "`{factor}` 不是 0 到 2 tCO2/MWh 之间的因子"),
    ("grid.cfe_share", "`{share}` 不是 0 到 1 之间的比例"),
    ("grid.conflict", "与第 {row} 行的地区和小时相同，数据冲突"),
    // The domain's parse errors.
    ("domain.period", "期间 `{period}` 不是 YYYY-MM 格式"),
    ("domain.month", "月份 {month} 不在 01-12 之间"),
    ("domain.year", "年份 {year} 不在 1990-2100 之间"),
    (
        "domain.unit",
        "未知单位 `{unit}`（可用：kWh、MWh、万kWh、亿kWh、GJ、MJ、万kJ、m3 或 Nm3、千m3、万m3、t、kg、`certificate`）",
    ),
    (
        "domain.region",
        "未知地区 `{region}`：请使用省级代码，如 CQ、SC、BJ（全国为 CN）",
    ),
    (
        "domain.time",
        "时间 `{time}` 既不是带时区偏移的 RFC 3339，也不是本地时间 YYYY-MM-DD[T ]HH:MM[:SS]（北京时间）",
    ),
    // Readings.
    ("readings.short_row", "本行字段少于表头（`meter,ts,kwh`）"),
    (
        "readings.long_row",
        "本行字段多于表头的 {columns} 列：带千位分隔符的数字（1,000）应写作 1000",
    ),
    ("readings.unclosed_quote", "本行有引号（\"）未闭合"),
    ("readings.meter_empty", "计量表编号为空"),
    ("readings.meter_spaces", "计量表编号 `{meter}` 首尾有空格"),
    (
        "readings.meter_unknown",
        "未登记的计量表 `{meter}`：请先用 `zeropark import meters` 导入",
    ),
    (
        "readings.meter_not_utf8",
        "计量表编号不是 UTF-8 文本（读数文件须为 UTF-8）",
    ),
    ("readings.ts_empty", "时间为空"),
    ("readings.ts_not_utf8", "时间不是 UTF-8 文本"),
    (
        "readings.ts_offset",
        "时间 `{ts}` 的时区偏移 `{offset}` 超出 -23:59 至 +23:59",
    ),
    (
        "readings.ts",
        "时间 `{time}` 既不是带时区偏移的 RFC 3339，也不是本地时间 YYYY-MM-DD[T ]HH:MM[:SS]（北京时间）",
    ),
    (
        "readings.ts_range",
        "时间不在可接受的范围 `{range}` 内（本地时间）",
    ),
    (
        "readings.ts_grid",
        "`{ts}` 不是 5、15、30 或 60 分钟时段的起点",
    ),
    (
        "readings.ts_interval",
        "计量表 `{meter}` 按 {minutes} 分钟记录（首次导入时确定）；`{ts}` 不是时段起点",
    ),
    (
        "readings.repeated",
        "计量表 `{meter}` 在 `{ts}` 的读数已在本文件前面出现（{kwh} kWh）；保留第一个值",
    ),
    ("readings.kwh_empty", "电量为空"),
    ("readings.kwh_not_number", "电量不是十进制数（如 12.345）"),
    (
        "readings.kwh_exponent",
        "电量用了指数写法（如 1e-30）：请写不超过 3 位小数的普通 kWh 数",
    ),
    (
        "readings.kwh_separator",
        "电量含千位分隔符（,）：请写 1000 而不是 1,000（读数是精确值）",
    ),
    (
        "readings.kwh_negative",
        "电量为负：时段读数是电能，不能小于 0",
    ),
    (
        "readings.kwh_precision",
        "电量超过 3 位小数：读数按整 Wh（0.001 kWh）保存",
    ),
    (
        "readings.kwh_large",
        "电量超过单表单时段 100,000 kWh（100 MWh）：读数不合常理",
    ),
    // The use cases'.
    ("scope.meter", "计量表 `{meter}` 不在您的范围内"),
    ("scope.org", "`{code}` 不在您的范围内"),
    (
        "scope.readings_meter",
        "计量表 `{meter}` 未登记在您范围内的企业名下：其读数未写入",
    ),
    ("meter.parent_loop", "计量表 `{meter}` 的上级表形成循环"),
    (
        "serials.claimed_here",
        "{count} 张证书 `{serials}` 已由本企业在其他期间或厂区（`{place}`）申领：一张证书只能计入一次",
    ),
    (
        "serials.claimed",
        "{count} 张证书 `{serials}` 已由 `{holder}`（`{place}`）申领：一张证书只能计入一次",
    ),
    (
        "steam.by_mass_already",
        "本厂区 {period} 的蒸汽已按质量填报（`{place}`）：同一月份的蒸汽只能按质量或按供热量填报其一",
    ),
    (
        "steam.as_heat_already",
        "本厂区 {period} 的蒸汽已按供热量填报（`{place}`）：同一月份的蒸汽只能按质量或按供热量填报其一",
    ),
    ("org.not_visible", "企业 `{code}` 未登记（或您无权查看）"),
    (
        "file.other_values",
        "本文件第 {row} 行已给出 `{key}` 的不同数值",
    ),
    // Credit codes (the domain's words).
    (
        "domain.credit_code_length",
        "统一社会信用代码须为 18 位，此处为 {length} 位",
    ),
    (
        "domain.credit_code_character",
        "第 {position} 位的字符 `{character}` 不能出现在统一社会信用代码中（可用：0-9 及除 I、O、S、V、Z 外的 A-Y）",
    ),
    (
        "domain.credit_code_division",
        "行政区划码（第 3-8 位）须为 6 位数字",
    ),
    (
        "domain.credit_code_check",
        "校验码为 `{got}`，应为 `{expected}`（GB 32100-2015）",
    ),
    // Certificate serials in ledgers.
    (
        "serials.cell_long",
        "证书编号单元格长 {length} 个字符（至多 {max}）：请写成区间 `FIRST..LAST`",
    ),
    ("serials.none", "证书编号单元格未列出任何编号"),
    ("serials.twice", "编号 `{serial}` 在单元格中出现了两次"),
    ("serials.too_many", "证书编号单元格列出的证书超过 {max} 张"),
    (
        "serials.first_number",
        "区间 `{first}..{last}`：起始编号末尾没有数字",
    ),
    (
        "serials.last_number",
        "区间 `{first}..{last}`：结束编号末尾没有数字",
    ),
    (
        "serials.prefixes",
        "区间 `{first}..{last}`：前缀不同（`{prefix_first}` 与 `{prefix_last}`）",
    ),
    (
        "serials.widths",
        "区间 `{first}..{last}`：数字位数不同（{width_first} 位与 {width_last} 位）",
    ),
    ("serials.backwards", "区间 `{first}..{last}`：起止顺序颠倒"),
    // Steam states.
    (
        "steam.pressure_range",
        "压力 {pressure_mpa} MPa 超出本公式对蒸汽的适用范围（饱和蒸汽须高于 {triple_mpa} MPa、低于临界压力 {critical_mpa} MPa；过热蒸汽至多 {max_mpa} MPa 且在 B23 边界以下）；压力为绝对压力",
    ),
    (
        "steam.temperature_range",
        "温度 {temperature_c} ℃ 不在 0.01 至 800 ℃ 之间",
    ),
    (
        "steam.liquid",
        "{pressure_mpa} MPa 下 {temperature_c} ℃ 是液态水而非蒸汽（饱和温度 {saturation_c} ℃）；压力为绝对压力",
    ),
    // Production records.
    ("production.product_empty", "产品为空：请填写产品名称"),
    ("production.negative", "{quantity} t 为负数"),
    ("production.not_tonnes", "`{value}` 不是吨数"),
    (
        "production.conflict",
        "本文件第 {row} 行已为同一企业、期间、CN 编码和生产路线给出 `{product}` {quantity} t",
    ),
    (
        "production.cn_not_code",
        "`{value}` 不是 CN 编码（8 位数字，如 2523 10 00）",
    ),
    (
        "production.cn_digits",
        "`{value}` 有 {digits} 位数字；CN 编码为 8 位（品目 4 位、子目 6 位）",
    ),
    (
        "production.cn_excluded",
        "CN `{cn}` 依欧盟第 2023/956 号条例附件一不在 CBAM 范围内",
    ),
    (
        "production.cn_not_cbam",
        "CN `{cn}` 不是 CBAM 产品（欧盟第 2023/956 号条例附件一：水泥、钢铁、铝、化肥、氢、电力）",
    ),
    // Energy-consumption limit standards.
    (
        "limits.standard_empty",
        "标准号为空：请填写标准编号，如 GB 16780-2021",
    ),
    (
        "limits.product_empty",
        "产品为空：请填写产品名称（与产量记录一致，或其 CN 编码）",
    ),
    ("limits.unit", "`{unit}`：仅对标 `{benchmarked}`"),
    ("limits.level1", "1 级限额 {level1} 须为正数"),
    (
        "limits.order",
        "各级须满足 1 级 ≤ 2 级 ≤ 3 级（越低越好）：{level1}、{level2}、{level3}",
    ),
    (
        "limits.source_empty",
        "来源为空：请注明数值出处（标准、表号、版本）",
    ),
    // Purchased materials.
    (
        "materials.year",
        "`{value}` 不是 1990 至 2100 之间的四位年份",
    ),
    (
        "materials.product_empty",
        "产品为空：请按产量记录填写产品名称",
    ),
    ("materials.material_empty", "原材料为空：请填写原材料名称"),
    (
        "materials.unit_empty",
        "单位为空：请填写数量的单位（t、kWh、m3 等）",
    ),
    (
        "materials.source_empty",
        "来源为空：请注明因子来源（数据库、EPD、供应商声明）",
    ),
    // Green electricity certificates (GEC).
    ("gec.serial", "不是证书编号数字"),
    ("gec.mwh", "不是整数兆瓦时"),
    (
        "gec.count",
        "编号 {start}..={end} 共 {held} 张证书，而不是 {mwh} 张（1 张绿证 = 1 MWh）",
    ),
    ("gec.owner_unknown", "未登记的企业 `{code}`"),
    ("gec.plant_empty", "电站为空"),
    (
        "gec.overlap",
        "绿证编号 `{serials}`：与已导入的区间 [{start}, {end}] 重叠",
    ),
    // Carbon inclusion actions.
    (
        "inclusion.participant",
        "您的范围内没有参与者 `{participant}`（请先登记加入）",
    ),
    (
        "inclusion.methodology",
        "未知的方法学 `{methodology}`（可用：`{known}`）",
    ),
    (
        "inclusion.date",
        "`{value}` 不是 YYYY-MM-DD 格式的日期：`{error}`",
    ),
    (
        "inclusion.thousands_separator",
        "`{value}` 含千位分隔符：请写纯数字",
    ),
    (
        "inclusion.unit",
        "`{unit}`：`{methodology}` 以 `{expected}` 计量",
    ),
    (
        "inclusion.recorded",
        "`{participant}` `{methodology}` 在 {day} 的记录已为 {quantity}；一经记录不接受更正",
    ),
    (
        "inclusion.issued",
        "`{participant}` `{methodology}`：{year} 年已签发；其记录不可更改",
    ),
    (
        "inclusion.twice",
        "`{participant}` `{methodology}` 在 {day} 的记录在文件中出现两次（{first} 与 {second}）",
    ),
    // Indicator data.
    (
        "indicators.fields",
        "本行有 {count} 个字段，应为 {expected} 个（`{header}`）",
    ),
    ("indicators.empty", "为空"),
    (
        "indicators.name",
        "`{indicator}` 不是小写下划线格式（`lower_snake_case`）的名称",
    ),
    ("indicators.period", "`{period}` 不是 YYYY 或 YYYY-MM 格式"),
    ("indicators.evidence", "必填：请注明证明文件、文件名或网址"),
    ("indicators.unused", "`{indicator}` 未被任何指标体系使用"),
    (
        "indicators.unit",
        "`{unit}` 与指标体系的单位不符（`{expected}`）",
    ),
    (
        "indicators.unit_empty",
        "单位为空（请用 `fraction`、%、`bool` 或指标体系的单位）",
    ),
    ("indicators.bool", "`{value}` 不是 是/否（1/0）"),
    ("indicators.not_a_number", "`{value}` 不是数字"),
    ("indicators.fraction", "`{value}` 超出 0-1（0-100 %）"),
    (
        "indicators.scope_unknown",
        "`{scope}` 既不是已登记的园区名称，也不是已登记企业的统一社会信用代码",
    ),
    (
        "indicators.conflict",
        "`{key}` 已在第 {row} 行出现，且数值不同",
    ),
    // Tariff files (refused whole, never quarantined; for completeness).
    ("tariff.columns", "缺少列 `{missing}`；应为 `{expected}`"),
    ("tariff.header_only", "没有时段：文件只有表头"),
    (
        "tariff.region",
        "地区：未知地区 `{region}`：请使用省级代码，如 CQ、SC、BJ（全国为 CN）",
    ),
    (
        "tariff.national",
        "地区：分时电价属于省份，而不是全国（CN）",
    ),
    (
        "tariff.category_empty",
        "用电类别为空（如 `large_industrial`、`general_industrial`）",
    ),
    (
        "tariff.category_control",
        "用电类别 `{category}` 含控制字符",
    ),
    (
        "tariff.valid_from",
        "生效日期 `{value}` 不是 YYYY-MM-DD 格式的日期",
    ),
    ("tariff.month", "月份：`{value}` 不是 1-12 之间的月份"),
    ("tariff.months_empty", "月份 `{months}`：有一项为空"),
    (
        "tariff.months_backwards",
        "月份 `{months}`：区间 {first}-{last} 起止颠倒（请写作 {first}-12,1-{last}）",
    ),
    (
        "tariff.start_time",
        "开始时间：`{value}` 不是 HH:MM 格式的时间（00:00 至 24:00）",
    ),
    (
        "tariff.end_time",
        "结束时间：`{value}` 不是 HH:MM 格式的时间（00:00 至 24:00）",
    ),
    (
        "tariff.start_24",
        "开始时间：24:00 是一天的结束，不能作为开始",
    ),
    (
        "tariff.end_before_start",
        "结束时间 {end} 不晚于开始时间 {start}（跨零点的时段请写成两行：{start}-24:00 与 00:00-{end}）",
    ),
    (
        "tariff.period",
        "时段类型 `{value}`：请使用 `peak`（尖峰）、`high`（峰）、`flat`（平）、`valley`（谷）或 `deep_valley`（深谷）",
    ),
    ("tariff.price", "电价 `{value}` 不是数字"),
    (
        "tariff.price_range",
        "电价 {value} 超出 ±{max} 元/kWh（是否填成了每 MWh 的价格？）",
    ),
    (
        "tariff.gap",
        "`{version}`：月份 {months}：{from}-{to} 没有时段覆盖（每月的时段须铺满全天）",
    ),
    (
        "tariff.overlap",
        "`{version}`：月份 {months}：{from}-{to} 被覆盖两次（每月的时段不得重叠）（与第 {row} 行）",
    ),
    (
        "tariff.no_bands",
        "`{version}`：月份 {months}：没有任何时段（每月都须有 00:00 至 24:00 的时段）",
    ),
    // Hazardous waste permits, whitelist entries and declarations.
    ("waste.missing_column", "缺少列 `{column}`"),
    ("waste.empty", "为空"),
    ("waste.national", "应为省份，而不是全国"),
    ("waste.date", "`{value}` 不是 YYYY-MM-DD 格式：`{error}`"),
    ("waste.not_positive", "{value} t 不是正数"),
    ("waste.not_tonnes", "`{value}` 不是吨数"),
    (
        "waste.category_declared",
        "`{code}` 是类别；请逐一申报 8 位废物代码（如 900-249-08）",
    ),
    (
        "waste.not_listed",
        "`{code}` 不是随附《国家危险废物名录（2021 年版）》中的代码",
    ),
    (
        "waste.not_category",
        "`{code}` 不是《国家危险废物名录》中的类别",
    ),
    ("waste.year", "`{value}` 不是 {first} 至 {last} 之间的年份"),
    ("waste.period", "有效期止 {to} 早于有效期起 {from}"),
    ("waste.same_province", "与移出省份相同"),
    ("waste.permit_twice", "许可证 `{permit}` 在文件中出现两次"),
    (
        "waste.declaration_twice",
        "`{generator}` `{code}` {year} 在文件中出现两次",
    ),
];

/// A quarantined row's reason in `lang`, as prose and references
/// ([`crate::format::code_pieces`]): in English as stored; in Chinese each `; `-joined part
/// from its template, or its English as a reference after the label `quarantine.original`.
pub(crate) fn reason_pieces(lang: Lang, reason: &str) -> Vec<(bool, String)> {
    if lang == Lang::En {
        return vec![(false, reason.to_string())];
    }
    // A row with several problems joins them with `; `, which a few templates hold too:
    // the parts when each is recognised, else the whole when no parameter takes a `; `
    // (a leading `{value}` would take every part before it), else part by part.
    let split: Vec<Option<zp_app::note::Note>> =
        reason.split("; ").map(zp_app::reasons::recognise).collect();
    let whole =
        zp_app::reasons::recognise(reason).filter(|n| !n.args.values().any(|v| v.contains("; ")));
    let parts = match whole {
        Some(n) if split.iter().any(Option::is_none) => vec![Some(n)],
        _ => split,
    };
    let english: Vec<&str> = match parts.len() {
        1 => vec![reason],
        _ => reason.split("; ").collect(),
    };
    let mut out = Vec::new();
    for (i, (note, en)) in parts.iter().zip(english).enumerate() {
        if i > 0 {
            out.push((false, "；".to_string()));
        }
        match note {
            Some(n) => out.extend(code_pieces(&n.text(REASONS_ZH))),
            None => {
                out.push((false, format!("{}：", lang.t("quarantine.original"))));
                out.push((true, en.to_string()));
            }
        }
    }
    out
}

/// An answer holding quarantined rows (`rejected`, as an upload and its preview give
/// them) with each row's reason also in the request's language: `reason_pieces`, pieces
/// `[is_code, text]` of [`reason_pieces`], next to the English `reason`, which stays as it
/// is with every other key (the answer's contract).
pub(crate) struct WithReasons<T>(pub Lang, pub T);

impl<T: serde::Serialize> serde::Serialize for WithReasons<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.1).map_err(serde::ser::Error::custom)?;
        let rows = value
            .get_mut("rejected")
            .and_then(serde_json::Value::as_array_mut);
        for row in rows.into_iter().flatten() {
            let pieces = match row.get("reason").and_then(serde_json::Value::as_str) {
                Some(reason) => reason_pieces(self.0, reason),
                None => continue,
            };
            if let Some(row) = row.as_object_mut() {
                row.insert("reason_pieces".into(), serde_json::json!(pieces));
            }
        }
        value.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_code_has_a_chinese_template_with_the_same_parameters() {
        crate::i18n::assert_same_codes(&zp_app::reasons::templates(), REASONS_ZH);
    }

    #[test]
    fn reasons_are_written_in_chinese_from_their_code_and_kept_when_unknown() {
        let text = crate::format::pieces_text;
        assert_eq!(
            text(reason_pieces(Lang::Zh, "\"lots\" is not a number")),
            "<\"lots\"> 不是数字"
        );
        assert_eq!(
            text(reason_pieces(
                Lang::Zh,
                "month 13 is not 01-12; \"x\" is not a number; a reason of long ago"
            )),
            "月份 13 不在 01-12 之间；<\"x\"> 不是数字；原文：<a reason of long ago>"
        );
        assert_eq!(
            text(reason_pieces(
                Lang::Zh,
                "month 13 is not 01-12; -3 is negative"
            )),
            "月份 13 不在 01-12 之间；<-3> 为负数"
        );
        // A template holding `; ` itself.
        assert_eq!(
            text(reason_pieces(
                Lang::Zh,
                "meter \"M\" at 2024-01-01 00:15 appears earlier in this file with 1.5 kWh; the first value is kept"
            )),
            "计量表 <\"M\"> 在 <2024-01-01 00:15> 的读数已在本文件前面出现（1.5 kWh）；保留第一个值"
        );
        assert_eq!(
            text(reason_pieces(Lang::En, "\"lots\" is not a number")),
            "\"lots\" is not a number"
        );
        // Importers without templates before (issue 14, part 2).
        assert_eq!(
            text(reason_pieces(
                Lang::Zh,
                "150 degC at 1.0 MPa is liquid water, not steam (saturation is 179.88 degC); pressures are absolute"
            )),
            "1.0 MPa 下 150 ℃ 是液态水而非蒸汽（饱和温度 179.88 ℃）；压力为绝对压力"
        );
        assert_eq!(
            text(reason_pieces(
                Lang::Zh,
                "row 6 of this file gives P 5 t for the same enterprise, period, CN code and route"
            )),
            "本文件第 6 行已为同一企业、期间、CN 编码和生产路线给出 <P> 5 t"
        );
    }

    #[test]
    fn an_upload_answer_carries_each_reason_in_the_page_language_next_to_the_english() {
        let answer = serde_json::json!({
            "read": 2,
            "rejected": [{"row": 2, "field": "quantity", "reason": "\"x\" is not a number", "raw": "x"}],
        });
        let zh = serde_json::to_value(WithReasons(Lang::Zh, &answer)).unwrap();
        let row = &zh["rejected"][0];
        assert_eq!(row["reason"], "\"x\" is not a number");
        assert_eq!(
            row["reason_pieces"],
            serde_json::json!([[true, "\"x\""], [false, " 不是数字"]])
        );
        assert_eq!(zh["read"], 2);
        let en = serde_json::to_value(WithReasons(Lang::En, &answer)).unwrap();
        assert_eq!(
            en["rejected"][0]["reason_pieces"],
            serde_json::json!([[false, "\"x\" is not a number"]])
        );
    }
}

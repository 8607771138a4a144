//! The GHG inventory report as a document: boundary, summary with a chart, sources,
//! activity data row by row, factors, certificates, base year, uncertainty and method.

use crate::doc::{
    Block, Cell, Chart, ChartKind, Column, Document, Fact, Lang, Section, Series, Table,
};
use crate::ghg::GhgInventoryReport;

fn category_name(l: Lang, c: &str) -> &'static str {
    match c {
        "scope1_combustion" => l.pick("范围一 燃料燃烧", "Scope 1 combustion"),
        "scope1_process" => l.pick("范围一 工业过程", "Scope 1 process"),
        "scope2_electricity" => l.pick("范围二 外购电力", "Scope 2 electricity"),
        "scope2_heat" => l.pick("范围二 外购热力", "Scope 2 heat"),
        "onsite_renewable" => l.pick("自发自用可再生电力", "On-site renewable"),
        _ => l.pick("绿证（市场法）", "Certificates (market-based)"),
    }
}

impl GhgInventoryReport {
    pub fn document(&self) -> Document {
        let l = self.lang;
        let o = &self.organisation;
        let t = &self.totals;
        let summary = vec![
            Fact::num(l.pick("综合能耗", "Energy use"), t.energy_tce, 3, "tce"),
            Fact::num(l.pick("范围一", "Scope 1"), t.scope1_tco2, 3, "tCO2"),
            Fact::num(
                l.pick("  其中燃料燃烧", "  combustion"),
                t.scope1_combustion_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                l.pick("  其中工业过程", "  process"),
                t.scope1_process_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                l.pick("范围二（基于位置）", "Scope 2 (location-based)"),
                t.scope2_location_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                l.pick("范围二（基于市场）", "Scope 2 (market-based)"),
                t.scope2_market_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                l.pick("合计（基于位置）", "Total (location-based)"),
                t.total_location_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                l.pick("合计（基于市场）", "Total (market-based)"),
                t.total_market_tco2,
                3,
                "tCO2",
            ),
            Fact::num(l.pick("用电量", "Electricity"), t.electricity_mwh, 3, "MWh"),
            Fact::num(
                l.pick("  其中电网", "  from the grid"),
                t.grid_electricity_mwh,
                3,
                "MWh",
            ),
            Fact::num(
                l.pick("  其中自发自用可再生", "  on-site renewable"),
                t.onsite_renewable_mwh,
                3,
                "MWh",
            ),
            Fact::opt(
                l.pick("清洁电力占比", "Clean electricity share"),
                t.clean_electricity_share,
                4,
                "",
            ),
            Fact::opt(
                l.pick("碳排放强度（基于位置）", "Intensity (location-based)"),
                t.intensity_location_tco2_per_tce,
                4,
                "tCO2/tce",
            ),
            Fact::opt(
                l.pick("碳排放强度（基于市场）", "Intensity (market-based)"),
                t.intensity_market_tco2_per_tce,
                4,
                "tCO2/tce",
            ),
        ];
        let chart = Chart {
            title: l.pick("排放构成", "Emissions by scope").into(),
            kind: ChartKind::Bar,
            unit: "tCO2".into(),
            labels: vec![
                l.pick("燃料燃烧", "Combustion").into(),
                l.pick("工业过程", "Process").into(),
                l.pick("范围二 位置", "Scope 2 loc.").into(),
                l.pick("范围二 市场", "Scope 2 mkt.").into(),
            ],
            series: vec![Series {
                name: o.name.clone(),
                values: vec![
                    Some(t.scope1_combustion_tco2),
                    Some(t.scope1_process_tco2),
                    Some(t.scope2_location_tco2),
                    Some(t.scope2_market_tco2),
                ],
            }],
            reference: None,
        };
        let sources = Table {
            caption: l.pick("排放源", "Emission sources").into(),
            columns: vec![
                Column::new(l.pick("能源品种", "Carrier"), "", 2.0),
                Column::new(l.pick("类别", "Category"), "", 1.6),
                Column::new(l.pick("数量", "Quantity"), "", 1.3),
                Column::new(l.pick("单位", "Unit"), "", 0.7),
                Column::new(l.pick("能耗", "Energy"), "tce", 1.1),
                Column::new(l.pick("范围一", "Scope 1"), "tCO2", 1.1),
                Column::new(l.pick("范围二 位置", "Scope 2 loc."), "tCO2", 1.1),
                Column::new(l.pick("范围二 市场", "Scope 2 mkt."), "tCO2", 1.1),
                Column::new(l.pick("月数", "Months"), "", 0.6),
            ],
            rows: self
                .sources
                .iter()
                .map(|s| {
                    vec![
                        Cell::text(format!("{} {}", s.name_zh, s.carrier)),
                        Cell::text(category_name(l, s.category)),
                        Cell::num(s.quantity, 3),
                        Cell::text(&s.unit),
                        Cell::num(s.energy_tce, 3),
                        Cell::num(s.scope1_tco2, 3),
                        Cell::num(s.scope2_location_tco2, 3),
                        Cell::num(s.scope2_market_tco2, 3),
                        Cell::int(s.months_reported as i64),
                    ]
                })
                .collect(),
        };
        let activity = Table {
            caption: l
                .pick(
                    "活动数据（逐行，含来源文件和行号）",
                    "Activity data (row by row, with source file and row)",
                )
                .into(),
            columns: vec![
                Column::new(l.pick("能源品种", "Carrier"), "", 1.6),
                Column::new(l.pick("期间", "Period"), "", 0.9),
                Column::new(l.pick("数量", "Quantity"), "", 1.2),
                Column::new(l.pick("单位", "Unit"), "", 0.7),
                Column::new(l.pick("来源文件", "Source file"), "", 3.0),
                Column::new(l.pick("行号", "Row"), "", 0.6),
                Column::new("id", "", 0.6),
            ],
            rows: self
                .sources
                .iter()
                .flat_map(|s| {
                    s.inputs.iter().map(move |r| {
                        vec![
                            Cell::text(&s.carrier),
                            Cell::text(&r.period),
                            Cell::num(r.quantity, 3),
                            Cell::text(&r.unit),
                            Cell::text(&r.file),
                            r.row.map_or(Cell::Empty, Cell::int),
                            Cell::int(r.id),
                        ]
                    })
                })
                .collect(),
        };
        let factors = Table {
            caption: l
                .pick(
                    "排放因子与折标系数（来源与版本）",
                    "Emission factors and coefficients (source and version)",
                )
                .into(),
            columns: vec![
                Column::new("id", "", 2.6),
                Column::new(l.pick("数值", "Value"), "", 0.9),
                Column::new(l.pick("单位", "Unit"), "", 0.9),
                Column::new(l.pick("版本", "Version"), "", 1.3),
                Column::new(l.pick("来源", "Source"), "", 2.6),
                Column::new(l.pick("说明", "Note"), "", 1.6),
            ],
            rows: self
                .factors
                .iter()
                .map(|f| {
                    vec![
                        Cell::text(&f.id),
                        Cell::num(f.value, 4),
                        Cell::text(&f.unit),
                        Cell::text(&f.version),
                        Cell::text(&f.source),
                        Cell::text(f.note.clone().unwrap_or_default()),
                    ]
                })
                .collect(),
        };
        let c = &self.certificates;
        let claims =
            Table {
                caption: l.pick("声明的绿证", "Certificates claimed").into(),
                columns: vec![
                    Column::new(l.pick("期间", "Period"), "", 0.9),
                    Column::new(l.pick("电量", "Energy"), "MWh", 1.0),
                    Column::new(l.pick("序列号", "Serials"), "", 2.5),
                    Column::new(l.pick("来源", "Source"), "", 2.5),
                ],
                rows: c
                    .claims
                    .iter()
                    .map(|k| {
                        vec![
                            Cell::text(&k.period),
                            Cell::num(k.mwh, 3),
                            Cell::text(k.serials.clone().unwrap_or_else(|| {
                                l.pick("（未列序列号）", "(no serials)").into()
                            })),
                            Cell::text(&k.source),
                        ]
                    })
                    .collect(),
            };
        let method = Table {
            caption: l
                .pick(
                    "计算方法（每个排放源的公式）",
                    "Method (formula of each source)",
                )
                .into(),
            columns: vec![
                Column::new(l.pick("能源品种", "Carrier"), "", 1.2),
                Column::new(
                    l.pick("公式（代入因子值）", "Formula (factor values written in)"),
                    "",
                    4.0,
                ),
                Column::new(l.pick("因子", "Factors"), "", 2.2),
            ],
            rows: self
                .sources
                .iter()
                .map(|s| {
                    vec![
                        Cell::text(&s.carrier),
                        Cell::text(&s.formula),
                        Cell::text(s.factor_ids.join(" ")),
                    ]
                })
                .collect(),
        };
        let b = &self.base_year;
        let mut uncertainty: Vec<Block> = self
            .uncertainty
            .iter()
            .map(|u| Block::Paragraph(u.clone()))
            .collect();
        uncertainty.extend(
            self.notes
                .iter()
                .map(|n| Block::Paragraph(format!("{}: {n}", l.pick("说明", "Note")))),
        );
        if !self.complete {
            uncertainty.push(Block::Paragraph(
                l.pick(
                    "清单不完整：部分活动数据未能完全核算（见说明）。",
                    "INCOMPLETE: some activity could not be fully accounted (see notes).",
                )
                .into(),
            ));
        }
        Document {
            lang: l,
            title: format!(
                "{} · {}",
                l.pick("温室气体排放报告", "GHG inventory report"),
                o.name
            ),
            subtitle: format!(
                "{} · {}",
                l.pick(
                    "依据 GB/T 32150-2015 和 ISO 14064-1:2018",
                    "After GB/T 32150-2015 and ISO 14064-1:2018"
                ),
                self.year
            ),
            facts: vec![
                Fact::text(l.pick("报告主体", "Organisation"), &o.name),
                Fact::text(
                    l.pick("统一社会信用代码", "Unified social credit code"),
                    &o.credit_code,
                ),
                Fact::text(
                    l.pick("地区", "Region"),
                    format!("{} ({})", o.region_name, o.region),
                ),
                Fact::text(l.pick("行业代码", "Industry code"), &o.industry),
                Fact::text(l.pick("报告期", "Reporting period"), &self.reporting_period),
            ],
            sections: vec![
                Section {
                    heading: l
                        .pick(
                            "1. 组织边界与报告边界",
                            "1. Organisational and reporting boundary",
                        )
                        .into(),
                    sheet: l.pick("边界", "Boundary").into(),
                    blocks: vec![
                        Block::Paragraph(self.boundary.statement.clone()),
                        Block::Paragraph(self.boundary.gases.clone()),
                        Block::Facts(vec![
                            Fact::text(
                                l.pick("合并方法", "Consolidation"),
                                l.pick("运营控制法", "operational control"),
                            ),
                            Fact::text(l.pick("园区", "Park"), o.park.clone().unwrap_or_default()),
                            Fact::text(l.pick("厂区", "Sites"), o.sites.join(", ")),
                            Fact::text(
                                l.pick("范围二因子", "Scope 2 location factor"),
                                &t.grid_factor,
                            ),
                        ]),
                    ],
                },
                Section {
                    heading: l.pick("2. 排放汇总", "2. Summary").into(),
                    sheet: l.pick("汇总", "Summary").into(),
                    blocks: vec![
                        Block::Facts(summary),
                        Block::Chart(chart),
                        Block::Paragraph(t.lineage.method.clone()),
                    ],
                },
                Section {
                    heading: l
                        .pick("3. 排放源与活动数据", "3. Sources and activity data")
                        .into(),
                    sheet: l.pick("活动数据", "Activity data").into(),
                    blocks: vec![Block::Table(sources), Block::Table(activity)],
                },
                Section {
                    heading: l.pick("4. 排放因子", "4. Factors").into(),
                    sheet: l.pick("因子", "Factors").into(),
                    blocks: vec![Block::Table(factors)],
                },
                Section {
                    heading: l.pick("5. 绿色电力证书", "5. Certificates").into(),
                    sheet: l.pick("绿证", "Certificates").into(),
                    blocks: vec![
                        Block::Facts(vec![
                            Fact::num(l.pick("注销的绿证", "Retired"), c.retired_mwh, 3, "MWh"),
                            Fact::num(
                                l.pick(
                                    "计入的绿证（不超过电网电量）",
                                    "Applied (at most the grid electricity)",
                                ),
                                c.applied_mwh,
                                3,
                                "MWh",
                            ),
                            Fact::num(
                                l.pick("未列序列号", "Without serials"),
                                c.unverified_mwh,
                                3,
                                "MWh",
                            ),
                            Fact::num(
                                l.pick("自发电证书已转让", "Own generation's certificates sold"),
                                c.onsite_sold_mwh,
                                3,
                                "MWh",
                            ),
                        ]),
                        Block::Table(claims),
                    ],
                },
                Section {
                    heading: l
                        .pick("6. 基准年与重新计算", "6. Base year and recalculation")
                        .into(),
                    sheet: l.pick("基准年", "Base year").into(),
                    blocks: vec![
                        Block::Facts(vec![
                            Fact::text(l.pick("基准年", "Base year"), b.year.to_string()),
                            Fact::num(
                                l.pick("基准年范围一", "Base-year Scope 1"),
                                b.scope1_tco2,
                                3,
                                "tCO2",
                            ),
                            Fact::num(
                                l.pick("基准年合计（基于位置）", "Base-year total (location)"),
                                b.total_location_tco2,
                                3,
                                "tCO2",
                            ),
                            Fact::num(
                                l.pick("基准年合计（基于市场）", "Base-year total (market)"),
                                b.total_market_tco2,
                                3,
                                "tCO2",
                            ),
                            Fact::opt(
                                l.pick(
                                    "较基准年变化（基于位置）",
                                    "Change from base year (location)",
                                ),
                                b.change_location_pct,
                                2,
                                "%",
                            ),
                        ]),
                        Block::Paragraph(b.policy.clone()),
                    ],
                },
                Section {
                    heading: l
                        .pick("7. 不确定性与说明", "7. Uncertainty and notes")
                        .into(),
                    sheet: l.pick("不确定性", "Uncertainty").into(),
                    blocks: uncertainty,
                },
                Section {
                    heading: l.pick("8. 计算方法", "8. Method").into(),
                    sheet: l.pick("方法", "Method").into(),
                    blocks: vec![Block::Table(method)],
                },
            ],
            footer: format!("zeropark · GHG · {} · {}", o.credit_code, self.year),
        }
    }
}

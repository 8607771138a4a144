//! The park annual report as a document: summary, trend with charts, monthly figures,
//! enterprises, zero-carbon indicators, designations, projects and finance.

use crate::doc::{Block, Cell, Chart, ChartKind, Column, Document, Fact, Section, Series, Table};
use crate::park::ParkAnnualReport;

impl ParkAnnualReport {
    pub fn document(&self) -> Document {
        let l = self.lang;
        let s = &self.summary;
        let years: Vec<String> = self.trend.iter().map(|y| y.year.to_string()).collect();
        let emissions_chart = Chart {
            title: l
                .pick("历年排放（基于市场）", "Emissions by year (market-based)")
                .into(),
            kind: ChartKind::Bar,
            unit: "tCO2".into(),
            labels: years.clone(),
            series: vec![
                Series {
                    name: l.pick("范围一", "Scope 1").into(),
                    values: self.trend.iter().map(|y| Some(y.scope1_tco2)).collect(),
                },
                Series {
                    name: l.pick("范围二（市场）", "Scope 2 (market)").into(),
                    values: self
                        .trend
                        .iter()
                        .map(|y| Some(y.scope2_market_tco2))
                        .collect(),
                },
            ],
            reference: None,
        };
        let intensity_chart = Chart {
            title: l.pick("碳排放强度趋势", "Carbon intensity trend").into(),
            kind: ChartKind::Line,
            unit: "tCO2/tce".into(),
            labels: years,
            series: vec![
                Series {
                    name: l.pick("基于市场", "market-based").into(),
                    values: self
                        .trend
                        .iter()
                        .map(|y| y.intensity_market_tco2_per_tce)
                        .collect(),
                },
                Series {
                    name: l.pick("基于位置", "location-based").into(),
                    values: self
                        .trend
                        .iter()
                        .map(|y| y.intensity_location_tco2_per_tce)
                        .collect(),
                },
            ],
            reference: Some((
                l.pick("零碳园区门槛", "zero-carbon threshold").into(),
                self.threshold_tco2_per_tce,
            )),
        };
        let monthly_chart = Chart {
            title: format!(
                "{} {}",
                self.year,
                l.pick("逐月能耗", "energy use by month")
            ),
            kind: ChartKind::Bar,
            unit: "tce".into(),
            labels: self
                .monthly
                .iter()
                .map(|m| m.period.get(5..).unwrap_or(&m.period).to_string())
                .collect(),
            series: vec![Series {
                name: l.pick("能耗", "energy").into(),
                values: self.monthly.iter().map(|m| Some(m.energy_tce)).collect(),
            }],
            reference: None,
        };
        let trend = Table {
            caption: l.pick("历年数字", "Figures by year").into(),
            columns: vec![
                Column::new(l.pick("年份", "Year"), "", 0.7),
                Column::new(l.pick("企业数", "Enterprises"), "", 0.8),
                Column::new(l.pick("能耗", "Energy"), "tce", 1.2),
                Column::new(l.pick("范围一", "Scope 1"), "tCO2", 1.2),
                Column::new(l.pick("范围二 位置", "Scope 2 loc."), "tCO2", 1.2),
                Column::new(l.pick("范围二 市场", "Scope 2 mkt."), "tCO2", 1.2),
                Column::new(l.pick("强度 市场", "Intensity mkt."), "tCO2/tce", 1.0),
                Column::new(l.pick("清洁电力占比", "Clean share"), "", 0.9),
            ],
            rows: self
                .trend
                .iter()
                .map(|y| {
                    vec![
                        Cell::text(y.year.to_string()),
                        Cell::int(y.enterprises as i64),
                        Cell::num(y.energy_tce, 3),
                        Cell::num(y.scope1_tco2, 3),
                        Cell::num(y.scope2_location_tco2, 3),
                        Cell::num(y.scope2_market_tco2, 3),
                        Cell::opt(y.intensity_market_tco2_per_tce, 4),
                        Cell::opt(y.clean_electricity_share, 4),
                    ]
                })
                .collect(),
        };
        let monthly = Table {
            caption: l.pick("逐月数字", "Figures by month").into(),
            columns: vec![
                Column::new(l.pick("月份", "Month"), "", 0.9),
                Column::new(l.pick("能耗", "Energy"), "tce", 1.2),
                Column::new(l.pick("范围一", "Scope 1"), "tCO2", 1.2),
                Column::new(l.pick("范围二 位置", "Scope 2 loc."), "tCO2", 1.2),
                Column::new(l.pick("范围二 市场", "Scope 2 mkt."), "tCO2", 1.2),
                Column::new(l.pick("用电量", "Electricity"), "MWh", 1.2),
            ],
            rows: self
                .monthly
                .iter()
                .map(|m| {
                    vec![
                        Cell::text(&m.period),
                        Cell::num(m.energy_tce, 3),
                        Cell::num(m.scope1_tco2, 3),
                        Cell::num(m.scope2_location_tco2, 3),
                        Cell::num(m.scope2_market_tco2, 3),
                        Cell::num(m.electricity_mwh, 3),
                    ]
                })
                .collect(),
        };
        let members = Table {
            caption: l.pick("园区企业", "Enterprises of the park").into(),
            columns: vec![
                Column::new(l.pick("企业", "Enterprise"), "", 2.6),
                Column::new(l.pick("统一社会信用代码", "Credit code"), "", 1.8),
                Column::new(l.pick("行业", "Industry"), "", 0.7),
                Column::new(l.pick("能耗", "Energy"), "tce", 1.2),
                Column::new(l.pick("排放 市场", "Emissions mkt."), "tCO2", 1.2),
                Column::new(l.pick("强度 市场", "Intensity mkt."), "tCO2/tce", 1.0),
            ],
            rows: self
                .members
                .iter()
                .map(|m| {
                    vec![
                        Cell::text(&m.name),
                        Cell::text(&m.credit_code),
                        Cell::text(&m.industry),
                        Cell::num(m.figures.energy_tce, 3),
                        Cell::num(m.figures.total_market_tco2, 3),
                        Cell::opt(m.figures.intensity_market_tco2_per_tce, 4),
                    ]
                })
                .collect(),
        };
        let zero_carbon: Vec<Block> = match &self.zero_carbon {
            Some(z) => {
                let mut b = vec![Block::Facts(vec![
                    Fact::text(
                        l.pick("指标集", "Indicator set"),
                        format!("{} {}", z.scheme, z.version),
                    ),
                    Fact::text(
                        l.pick("结论", "Result"),
                        if z.pass {
                            l.pick("通过", "pass")
                        } else {
                            l.pick("未通过", "fail")
                        },
                    ),
                    Fact::text(
                        l.pick("数据完整", "Complete"),
                        if z.complete {
                            l.pick("是", "yes")
                        } else {
                            l.pick("否", "no")
                        },
                    ),
                    Fact::text("sha256", &z.scheme_sha256),
                ])];
                b.push(Block::Table(Table {
                    caption: l.pick("零碳园区指标", "Zero-carbon park indicators").into(),
                    columns: vec![
                        Column::new(l.pick("指标", "Indicator"), "", 2.6),
                        Column::new(l.pick("数值", "Value"), "", 1.0),
                        Column::new(l.pick("单位", "Unit"), "", 0.9),
                        Column::new(l.pick("要求", "Requirement"), "", 1.0),
                        Column::new(l.pick("状态", "Status"), "", 0.8),
                        Column::new(l.pick("否决项", "Veto"), "", 0.6),
                        Column::new(l.pick("来源", "Source"), "", 1.6),
                    ],
                    rows: z
                        .indicators
                        .iter()
                        .map(|i| {
                            vec![
                                Cell::text(&i.name),
                                Cell::opt(i.value, 4),
                                Cell::text(&i.unit),
                                Cell::text(format!(
                                    "{} {}",
                                    i.comparison,
                                    i.threshold
                                        .map(|t| t.normalize().to_string())
                                        .unwrap_or_default()
                                )),
                                Cell::text(&i.status),
                                Cell::text(if i.veto { "✓" } else { "" }),
                                Cell::text(&i.source),
                            ]
                        })
                        .collect(),
                }));
                b.extend(z.reasons.iter().map(|r| Block::Paragraph(r.clone())));
                b
            }
            None => vec![Block::Paragraph(
                l.pick(
                    "未评价（园区没有可评价的数据）。",
                    "Not evaluated (no data to evaluate).",
                )
                .into(),
            )],
        };
        let designations = Table {
            caption: l.pick("称号", "Designations").into(),
            columns: vec![
                Column::new(l.pick("称号", "Designation"), "", 1.6),
                Column::new(l.pick("级别", "Level"), "", 0.9),
                Column::new(l.pick("对象", "Holder"), "", 1.8),
                Column::new(l.pick("授予日期", "Granted"), "", 1.0),
                Column::new(l.pick("到期", "Expires"), "", 1.0),
                Column::new(l.pick("文号", "Notice"), "", 1.8),
            ],
            rows: self
                .designations
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(&d.kind),
                        Cell::text(&d.level),
                        Cell::text(&d.scope),
                        Cell::text(&d.granted_on),
                        Cell::text(d.expires_on.clone().unwrap_or_default()),
                        Cell::text(&d.notice),
                    ]
                })
                .collect(),
        };
        let projects = Table {
            caption: l.pick("气候投融资项目", "Climate finance projects").into(),
            columns: vec![
                Column::new("id", "", 1.0),
                Column::new(l.pick("项目", "Project"), "", 2.2),
                Column::new(l.pick("企业", "Enterprise"), "", 1.7),
                Column::new(l.pick("总投资", "Capex"), "yuan", 1.4),
                Column::new(l.pick("预期减排", "Expected reduction"), "tCO2/yr", 1.2),
                Column::new(l.pick("申请", "Applications"), "", 0.8),
                Column::new(l.pick("申请金额", "Requested"), "yuan", 1.4),
                Column::new(l.pick("状态", "Status"), "", 1.2),
            ],
            rows: self
                .projects
                .iter()
                .map(|p| {
                    vec![
                        Cell::text(&p.id),
                        Cell::text(&p.name),
                        Cell::text(&p.credit_code),
                        Cell::num(p.capex_yuan, 2),
                        Cell::num(p.expected_reduction_tco2, 3),
                        Cell::int(p.applications as i64),
                        Cell::num(p.requested_yuan, 2),
                        Cell::text(p.statuses.join(", ")),
                    ]
                })
                .collect(),
        };
        let f = &self.finance;
        let mut notes: Vec<Block> = vec![Block::Paragraph(self.lineage.method.clone())];
        notes.push(Block::Paragraph(format!(
            "{}: {}",
            l.pick("使用的因子", "Factors used"),
            self.lineage.factor_ids.join(" ")
        )));
        notes.extend(self.notes.iter().map(|n| Block::Paragraph(n.clone())));
        Document {
            lang: l,
            title: format!("{} · {} {}", self.park.name, self.year, l.pick("年度双碳报告", "annual dual-carbon report")),
            subtitle: l.pick("能源、排放、强度趋势、零碳园区指标、称号、项目与融资", "Energy, emissions, intensity trend, zero-carbon indicators, designations, projects and finance").into(),
            facts: vec![
                Fact::text(l.pick("园区", "Park"), &self.park.name),
                Fact::text(l.pick("地区", "Region"), format!("{} ({})", self.park.region_name, self.park.region)),
                Fact::num(l.pick("企业数", "Enterprises"), (self.park.enterprises as i64).into(), 0, ""),
                Fact::text(l.pick("年份", "Year"), self.year.to_string()),
            ],
            sections: vec![
                Section {
                    heading: l.pick("1. 能源与排放", "1. Energy and emissions").into(),
                    sheet: l.pick("概况", "Summary").into(),
                    blocks: vec![Block::Facts(vec![
                        Fact::num(l.pick("综合能耗", "Energy use"), s.energy_tce, 3, "tce"),
                        Fact::num(l.pick("范围一", "Scope 1"), s.scope1_tco2, 3, "tCO2"),
                        Fact::num(l.pick("范围二（基于位置）", "Scope 2 (location)"), s.scope2_location_tco2, 3, "tCO2"),
                        Fact::num(l.pick("范围二（基于市场）", "Scope 2 (market)"), s.scope2_market_tco2, 3, "tCO2"),
                        Fact::num(l.pick("用电量", "Electricity"), s.electricity_mwh, 3, "MWh"),
                        Fact::num(l.pick("自发自用可再生电力", "On-site renewable"), s.onsite_renewable_mwh, 3, "MWh"),
                        Fact::opt(l.pick("清洁电力占比", "Clean electricity share"), s.clean_electricity_share, 4, ""),
                        Fact::opt(l.pick("碳排放强度（基于市场）", "Intensity (market)"), s.intensity_market_tco2_per_tce, 4, "tCO2/tce"),
                        Fact::opt(l.pick("较上一年变化", "Change from previous year"), self.intensity_change_pct, 2, "%"),
                        Fact::num(l.pick("零碳园区核心指标门槛", "Zero-carbon core threshold"), self.threshold_tco2_per_tce, 2, "tCO2/tce"),
                    ])],
                },
                Section {
                    heading: l.pick("2. 趋势", "2. Trend").into(),
                    sheet: l.pick("趋势", "Trend").into(),
                    blocks: vec![
                        Block::Chart(emissions_chart),
                        Block::Chart(intensity_chart),
                        Block::Table(trend),
                        Block::Chart(monthly_chart),
                        Block::Table(monthly),
                    ],
                },
                Section {
                    heading: l.pick("3. 企业", "3. Enterprises").into(),
                    sheet: l.pick("企业", "Enterprises").into(),
                    blocks: vec![Block::Table(members)],
                },
                Section {
                    heading: l.pick("4. 零碳园区指标", "4. Zero-carbon park indicators").into(),
                    sheet: l.pick("零碳指标", "Zero-carbon").into(),
                    blocks: zero_carbon,
                },
                Section {
                    heading: l.pick("5. 称号", "5. Designations").into(),
                    sheet: l.pick("称号", "Designations").into(),
                    blocks: vec![Block::Table(designations)],
                },
                Section {
                    heading: l.pick("6. 项目与融资", "6. Projects and finance").into(),
                    sheet: l.pick("项目融资", "Finance").into(),
                    blocks: vec![
                        Block::Facts(vec![
                            Fact::num(l.pick("项目数", "Projects"), (f.projects as i64).into(), 0, ""),
                            Fact::num(l.pick("总投资", "Capex"), f.capex_yuan, 2, "yuan"),
                            Fact::num(l.pick("预期年减排", "Expected reduction"), f.expected_reduction_tco2, 3, "tCO2/yr"),
                            Fact::num(l.pick("融资申请", "Applications"), (f.applications as i64).into(), 0, ""),
                            Fact::num(l.pick("申请金额", "Requested"), f.requested_yuan, 2, "yuan"),
                        ]),
                        Block::Table(projects),
                    ],
                },
                Section {
                    heading: l.pick("7. 方法与说明", "7. Method and notes").into(),
                    sheet: l.pick("说明", "Notes").into(),
                    blocks: notes,
                },
            ],
            footer: format!("zeropark · {} · {}", self.park.name, self.year),
        }
    }
}

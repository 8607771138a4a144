//! The documents of a project assessment (for the approving authority: 节能审查与碳排放
//!评价) and of a building's year, for the PDF and Excel renderers. Labels are bilingual
//! (Chinese / English): both readers get one file.

use super::ReportModel;
use crate::assess::AssessReport;
use crate::buildings::BuildingReport;
use zp_reports::Lang;
use zp_reports::doc::{Block, Cell, Column, Document, Fact, Section, Table};

fn section(heading: &str, sheet: &str, blocks: Vec<Block>) -> Section {
    Section {
        heading: heading.into(),
        sheet: sheet.into(),
        blocks,
    }
}

fn notes(notes: &[String]) -> Vec<Block> {
    notes.iter().map(|n| Block::Paragraph(n.clone())).collect()
}

impl ReportModel for AssessReport {
    fn document(&self) -> Document {
        let a = &self.assessment;
        let mut figures = vec![
            Fact::num("综合能耗 / Energy (calorific)", a.energy_tce, 4, "tce"),
            Fact::opt(
                "综合能耗（等价值）/ Energy (coal equivalent)",
                a.energy_coal_equivalent_tce,
                4,
                "tce",
            ),
            Fact::num("范围一 / Scope 1", a.scope1_tco2, 3, "tCO2"),
            Fact::num(
                "范围二（基于位置）/ Scope 2 location-based",
                a.scope2_location_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                "范围二（基于市场）/ Scope 2 market-based",
                a.scope2_market_tco2,
                3,
                "tCO2",
            ),
            Fact::num(
                "绿电 / Green power applied",
                a.green_power_applied_mwh,
                3,
                "MWh",
            ),
            Fact::opt(
                "单位产值能耗 / Energy per output",
                a.intensity_tce_per_10k_yuan,
                6,
                "tce/万元",
            ),
            Fact::opt(
                "单位产值碳排放 / Carbon per output",
                a.carbon_tco2_per_10k_yuan,
                6,
                "tCO2/万元",
            ),
        ];
        let budget = match &a.budget_share {
            Some(b) => {
                figures.push(Fact::opt(
                    "占剩余能耗预算 / Share of energy budget left",
                    b.share_tce,
                    4,
                    "",
                ));
                figures.push(Fact::opt(
                    "占剩余碳预算 / Share of carbon budget left",
                    b.share_tco2,
                    4,
                    "",
                ));
                vec![Block::Facts(vec![
                    Fact::text(
                        "预算范围 / Budget of",
                        format!("{} {}", b.scope_kind, b.scope),
                    ),
                    Fact::num("年度能耗预算 / Energy budget", b.budget_tce, 3, "tce"),
                    Fact::num("已用（预测）/ Used (forecast)", b.used_tce, 3, "tce"),
                    Fact::num("剩余 / Remaining", b.remaining_tce, 3, "tce"),
                    Fact::num("年度碳预算 / Carbon budget", b.budget_tco2, 3, "tCO2"),
                    Fact::num("已用（预测）/ Used (forecast)", b.used_tco2, 3, "tCO2"),
                    Fact::num("剩余 / Remaining", b.remaining_tco2, 3, "tCO2"),
                    Fact::text(
                        "依据 / Basis",
                        format!("{} as of {}", b.used_basis, b.as_of),
                    ),
                ])]
            }
            None => vec![Block::Paragraph(
                "未设年度预算：不计算占比。/ No budget set: no share.".into(),
            )],
        };
        let lines = Table {
            caption: "分品种 / By carrier".into(),
            columns: vec![
                Column::new("品种 / Carrier", "", 0.22),
                Column::new("用量 / Quantity", "", 0.14),
                Column::new("单位 / Unit", "", 0.08),
                Column::new("能耗 / Energy", "tce", 0.14),
                Column::new("范围一 / Scope 1", "tCO2", 0.14),
                Column::new("范围二位置 / Scope 2 loc.", "tCO2", 0.14),
                Column::new("范围二市场 / Scope 2 mkt.", "tCO2", 0.14),
            ],
            rows: a
                .lines
                .iter()
                .map(|l| {
                    vec![
                        Cell::text(format!("{} {}", l.name_zh, l.carrier)),
                        Cell::num(l.quantity, 3),
                        Cell::text(l.unit.clone()),
                        Cell::num(l.energy_tce, 4),
                        Cell::num(l.scope1_tco2, 3),
                        Cell::num(l.scope2_location_tco2, 3),
                        Cell::num(l.scope2_market_tco2, 3),
                    ]
                })
                .collect(),
        };
        let factors = Table {
            caption: "排放因子与系数 / Factors".into(),
            columns: vec![
                Column::new("用途 / Slot", "", 0.24),
                Column::new("数值 / Value", "", 0.14),
                Column::new("单位 / Unit", "", 0.14),
                Column::new("来源 / Source", "", 0.48),
            ],
            rows: a
                .factors
                .iter()
                .map(|f| {
                    vec![
                        Cell::text(f.slot.clone()),
                        Cell::num(f.value, 6),
                        Cell::text(f.unit.clone()),
                        Cell::text(format!("{} ({})", f.source, f.id)),
                    ]
                })
                .collect(),
        };
        let products = Table {
            caption: "单位产品能耗 / Energy per product".into(),
            columns: vec![
                Column::new("产品 / Product", "", 0.18),
                Column::new("产量 / Output", "", 0.12),
                Column::new("单位 / Unit", "", 0.06),
                Column::new("能耗 / Energy", "kgce/unit", 0.12),
                Column::new("标杆 / Advanced", "kgce/unit", 0.1),
                Column::new("基准 / Benchmark", "kgce/unit", 0.1),
                Column::new("水平 / Level", "", 0.1),
                Column::new("来源 / Source", "", 0.22),
            ],
            rows: a
                .products
                .iter()
                .map(|p| {
                    vec![
                        Cell::text(p.product.name.clone()),
                        Cell::num(p.product.quantity, 2),
                        Cell::text(p.product.unit.clone()),
                        Cell::num(p.energy_kgce_per_unit, 4),
                        Cell::opt(p.product.advanced_kgce_per_unit, 2),
                        Cell::opt(p.product.benchmark_kgce_per_unit, 2),
                        Cell::text(p.level.unwrap_or("-")),
                        Cell::text(p.product.source.clone().unwrap_or_default()),
                    ]
                })
                .collect(),
        };
        Document {
            lang: Lang::Zh,
            title: "固定资产投资项目能耗与碳排放评价 / Project energy and carbon assessment".into(),
            subtitle: a.name.clone(),
            facts: vec![
                Fact::text("项目 / Project", a.name.clone()),
                Fact::text(
                    "地区与园区 / Region and park",
                    format!("{} {}", a.region, a.park.as_deref().unwrap_or("-")),
                ),
                Fact::text("行业 / Industry", a.industry.clone()),
                Fact::text("投产年 / Year", a.year.to_string()),
                Fact::num("产值 / Output value", a.output_10k_yuan, 2, "万元"),
                Fact::text(
                    "登记 / Register",
                    format!("#{} {}", self.register_id, self.status),
                ),
            ],
            sections: vec![
                section("评价结果 / Results", "Results", vec![Block::Facts(figures)]),
                section("预算占比 / Budget share", "Budget", budget),
                section("分品种 / By carrier", "Carriers", vec![Block::Table(lines)]),
                section(
                    "单位产品 / Products",
                    "Products",
                    vec![Block::Table(products)],
                ),
                section("因子 / Factors", "Factors", vec![Block::Table(factors)]),
                section("说明 / Notes", "Notes", notes(&a.notes)),
            ],
            footer: format!("zeropark · {}", a.name),
        }
    }

    fn file_stem(&self) -> String {
        format!("assessment-{}", self.register_id)
    }
}

impl ReportModel for BuildingReport {
    fn document(&self) -> Document {
        let r = self;
        let rating = r
            .rating
            .map(|x| format!("{} ({x:?})", x.name_zh()))
            .unwrap_or_else(|| "未导入标准值 / no standard values".into());
        let factors = Table {
            caption: "因子版本 / Factor versions".into(),
            columns: vec![
                Column::new("用途 / Slot", "", 0.4),
                Column::new("因子 / Factor id", "", 0.6),
            ],
            rows: r
                .pins
                .0
                .iter()
                .map(|(slot, pin)| vec![Cell::text(slot.clone()), Cell::text(pin.id.clone())])
                .collect(),
        };
        Document {
            lang: Lang::Zh,
            title: "建筑运行能耗与碳排放 / Building operational energy and carbon".into(),
            subtitle: format!("{} {}", r.site, r.year),
            facts: vec![
                Fact::text("建筑 / Building", r.site.clone()),
                Fact::text("企业 / Enterprise", format!("{} {}", r.name, r.org)),
                Fact::text("类型 / Type", r.kind.clone()),
                Fact::text("气候区 / Climate zone", r.climate_zone.clone()),
                Fact::num("建筑面积 / Floor area", r.floor_area_m2, 1, "m2"),
                Fact::text("年份 / Year", r.year.to_string()),
            ],
            sections: vec![
                section(
                    "能耗与碳排放 / Energy and carbon",
                    "Results",
                    vec![Block::Facts(vec![
                        Fact::num("年能耗 / Energy", r.energy_kwh, 0, "kWh"),
                        Fact::num(
                            "单位面积能耗 / Energy intensity",
                            r.energy_kwh_per_m2,
                            1,
                            "kWh/m2",
                        ),
                        Fact::opt(
                            "约束值 / Constraint value",
                            r.constraint_kwh_per_m2,
                            1,
                            "kWh/m2",
                        ),
                        Fact::opt("引导值 / Guide value", r.guide_kwh_per_m2, 1, "kWh/m2"),
                        Fact::text("评价 / Rating", rating),
                        Fact::text(
                            "标准来源 / Standard source",
                            r.standard_source.clone().unwrap_or_else(|| "-".into()),
                        ),
                        Fact::num("范围一 / Scope 1", r.scope1_tco2, 3, "tCO2"),
                        Fact::num(
                            "范围二（基于位置）/ Scope 2 location-based",
                            r.scope2_location_tco2,
                            3,
                            "tCO2",
                        ),
                        Fact::num(
                            "单位面积碳排放 / Carbon intensity",
                            r.carbon_kgco2_per_m2,
                            2,
                            "kgCO2/m2",
                        ),
                        Fact::text("电力数据 / Electricity from", r.electricity_source),
                    ])],
                ),
                section("因子 / Factors", "Factors", vec![Block::Table(factors)]),
                section("说明 / Notes", "Notes", notes(&r.notes)),
            ],
            footer: format!("zeropark · {} {}", r.site, r.year),
        }
    }

    fn file_stem(&self) -> String {
        format!("building-{}-{}", self.site, self.year)
    }
}

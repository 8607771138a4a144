//! The CBAM report as a document in the structure of the EU communication template for
//! installations: sheets named as the template's (A_InstData installation data,
//! C_Emissions&Energy emissions and electricity, D_Processes production routes,
//! Summary_Products specific embedded emissions per product) and a sheet of notes and
//! lineage. It follows the template's structure; it is not the Commission's file itself.

use crate::Lang;
use crate::cbam::{CbamReport, Goods, RouteFigures};
use crate::doc::{Block, Cell, Chart, ChartKind, Column, Document, Fact, Section, Series, Table};

fn route_row(r: &RouteFigures) -> Vec<Cell> {
    vec![
        Cell::text(&r.route),
        Cell::text(r.goods.join(", ")),
        Cell::num(r.quantity_t, 3),
        Cell::num(r.scope1_tco2, 3),
        Cell::num(r.heat_imported_tco2, 3),
        Cell::num(r.direct_tco2, 3),
        Cell::num(r.electricity_mwh, 3),
        Cell::num(r.matched_mwh, 3),
        Cell::num(r.indirect_tco2, 3),
    ]
}

/// A product's row of the allocation table.
fn allocation_row(g: &Goods, l: Lang) -> Vec<Cell> {
    vec![
        Cell::text(&g.cn_code),
        Cell::text(&g.product),
        Cell::text(g.sector.name(l)),
        Cell::text(g.route.clone().unwrap_or_default()),
        Cell::num(g.quantity_t, 3),
        Cell::num(g.mass_share, 4),
        Cell::num(g.direct_tco2, 3),
        Cell::num(g.electricity_mwh, 3),
        Cell::num(g.electricity_factor_tco2_per_mwh, 4),
        Cell::num(g.indirect_tco2, 3),
    ]
}

/// A product's row of the specific embedded emissions table.
fn see_row(g: &Goods) -> Vec<Cell> {
    vec![
        Cell::text(&g.cn_code),
        Cell::text(&g.product),
        Cell::num(g.quantity_t, 3),
        Cell::num(g.embedded_tco2, 3),
        Cell::num(g.see_direct_tco2_per_t, 6),
        Cell::num(g.see_indirect_tco2_per_t, 6),
        Cell::num(g.see_total_tco2_per_t, 6),
    ]
}

impl CbamReport {
    pub fn document(&self) -> Document {
        let l = self.lang;
        let i = &self.installation;
        let route_columns = vec![
            Column::new(l.pick("路线", "Route"), "", 1.6),
            Column::new(l.pick("产品 CN", "Goods CN"), "", 1.8),
            Column::new(l.pick("产量", "Production"), "t", 1.3),
            Column::new(l.pick("范围一", "Scope 1"), "tCO2", 1.2),
            Column::new(l.pick("外购热力", "Heat imported"), "tCO2", 1.2),
            Column::new(l.pick("直接排放", "Direct"), "tCO2", 1.2),
            Column::new(l.pick("电网电力", "Grid electricity"), "MWh", 1.2),
            Column::new(l.pick("逐时匹配", "Hourly matched"), "MWh", 1.2),
            Column::new(l.pick("间接排放", "Indirect"), "tCO2", 1.2),
        ];
        let mut routes = vec![route_row(&self.installation_totals)];
        routes.extend(self.routes.iter().map(route_row));
        let goods = Table {
            caption: l.pick("产品与分配", "Goods and allocation").into(),
            columns: vec![
                Column::new("CN", "", 1.1),
                Column::new(l.pick("产品", "Product"), "", 1.6),
                Column::new(l.pick("行业", "Sector"), "", 0.9),
                Column::new(l.pick("路线", "Route"), "", 1.0),
                Column::new(l.pick("产量", "Quantity"), "t", 1.1),
                Column::new(l.pick("质量份额", "Mass share"), "", 0.8),
                Column::new(l.pick("直接排放", "Direct"), "tCO2", 1.1),
                Column::new(l.pick("电力", "Electricity"), "MWh", 1.1),
                Column::new(l.pick("电力因子", "Electricity factor"), "tCO2/MWh", 1.0),
                Column::new(l.pick("间接排放", "Indirect"), "tCO2", 1.1),
            ],
            rows: self.goods.iter().map(|g| allocation_row(g, l)).collect(),
        };
        let summary = Table {
            caption: l
                .pick(
                    "产品的特定隐含排放（SEE）",
                    "Specific embedded emissions (SEE) per product",
                )
                .into(),
            columns: vec![
                Column::new("CN", "", 1.1),
                Column::new(l.pick("产品", "Product"), "", 1.8),
                Column::new(l.pick("产量", "Quantity"), "t", 1.2),
                Column::new(l.pick("隐含排放", "Embedded"), "tCO2", 1.2),
                Column::new(l.pick("SEE 直接", "SEE direct"), "tCO2/t", 1.1),
                Column::new(l.pick("SEE 间接", "SEE indirect"), "tCO2/t", 1.1),
                Column::new(l.pick("SEE 合计", "SEE total"), "tCO2/t", 1.1),
            ],
            rows: self.goods.iter().map(see_row).collect(),
        };
        let chart = Chart {
            title: l
                .pick("每吨产品的隐含排放", "Embedded emissions per tonne")
                .into(),
            kind: ChartKind::Bar,
            unit: "tCO2/t".into(),
            labels: self.goods.iter().map(|g| g.product.clone()).collect(),
            series: vec![
                Series {
                    name: l.pick("直接", "direct").into(),
                    values: self
                        .goods
                        .iter()
                        .map(|g| Some(g.see_direct_tco2_per_t))
                        .collect(),
                },
                Series {
                    name: l.pick("间接", "indirect").into(),
                    values: self
                        .goods
                        .iter()
                        .map(|g| Some(g.see_indirect_tco2_per_t))
                        .collect(),
                },
            ],
            reference: None,
        };
        let lineage = Table {
            caption: l
                .pick(
                    "来源（每个数字的输入行、因子和方法）",
                    "Lineage (input rows, factors and method of each figure)",
                )
                .into(),
            columns: vec![
                Column::new("CN", "", 1.0),
                Column::new(l.pick("数字", "Figure"), "", 0.9),
                Column::new(l.pick("方法", "Method"), "", 2.2),
                Column::new(l.pick("因子", "Factors"), "", 2.4),
                Column::new(l.pick("输入行", "Input rows"), "", 3.0),
            ],
            rows: self
                .goods
                .iter()
                .flat_map(|g| {
                    let production = vec![
                        Cell::text(&g.cn_code),
                        Cell::text(l.pick("产量", "production")),
                        Cell::text("sum of production rows"),
                        Cell::Empty,
                        Cell::text(g.lineage.production_rows.join(" ")),
                    ];
                    let direct = vec![
                        Cell::text(&g.cn_code),
                        Cell::text(l.pick("直接", "direct")),
                        Cell::text(&g.lineage.direct.method),
                        Cell::text(g.lineage.direct.factor_ids.join(" ")),
                        Cell::text(g.lineage.direct.input_rows.join(" ")),
                    ];
                    let indirect = vec![
                        Cell::text(&g.cn_code),
                        Cell::text(l.pick("间接", "indirect")),
                        Cell::text(&g.lineage.indirect.method),
                        Cell::text(g.lineage.indirect.factor_ids.join(" ")),
                        Cell::text(l.pick("同直接", "as direct")),
                    ];
                    [production, direct, indirect]
                })
                .collect(),
        };
        let mut notes = vec![
            Block::Facts(vec![
                Fact::text(
                    l.pick("电力因子选项", "Electricity factor option"),
                    self.electricity_factor_option.key(),
                ),
                Fact::text(l.pick("分配方法", "Allocation"), self.allocation),
            ]),
            Block::Paragraph(self.electricity_factor_justification.clone()),
            Block::Paragraph(self.allocation_statement.clone()),
        ];
        notes.extend(self.notes.iter().map(|n| Block::Paragraph(n.clone())));
        notes.push(Block::Table(lineage));
        Document {
            lang: l,
            title: format!("{} · {}", l.pick("CBAM 隐含排放报告", "CBAM embedded emissions"), i.name),
            subtitle: l
                .pick(
                    "依据法规 (EU) 2023/956 附件 IV；结构同欧盟装置通报模板",
                    "After Regulation (EU) 2023/956, Annex IV; in the structure of the EU communication template for installations",
                )
                .into(),
            facts: vec![
                Fact::text(l.pick("装置（企业）", "Installation (operator)"), &i.name),
                Fact::text(l.pick("统一社会信用代码", "Unified social credit code"), &i.credit_code),
                Fact::text(l.pick("报告期", "Reporting period"), &self.reporting_period),
            ],
            sections: vec![
                Section {
                    heading: l.pick("A. 装置数据", "A. Installation data").into(),
                    sheet: "A_InstData".into(),
                    blocks: vec![Block::Facts(vec![
                        Fact::text(l.pick("名称", "Name"), &i.name),
                        Fact::text(l.pick("标识（统一社会信用代码）", "Identifier (credit code)"), &i.credit_code),
                        Fact::text(l.pick("国家", "Country"), &i.country),
                        Fact::text(l.pick("省级行政区", "Province"), format!("{} ({})", i.region_name, i.region)),
                        Fact::text(l.pick("园区", "Park"), i.park.clone().unwrap_or_default()),
                        Fact::text(l.pick("厂区", "Sites"), i.sites.join(", ")),
                        Fact::text(l.pick("行业代码", "Industry code"), &i.industry),
                        Fact::text(l.pick("报告期", "Reporting period"), &self.reporting_period),
                    ])],
                },
                Section {
                    heading: l.pick("C. 排放与电力", "C. Emissions and energy").into(),
                    sheet: "C_Emissions&Energy".into(),
                    blocks: vec![Block::Facts(vec![
                        Fact::num(l.pick("范围一（燃烧和过程）", "Scope 1 (combustion and process)"), self.installation_totals.scope1_tco2, 3, "tCO2"),
                        Fact::num(l.pick("外购热力和蒸汽", "Imported heat and steam"), self.installation_totals.heat_imported_tco2, 3, "tCO2"),
                        Fact::num(l.pick("直接排放", "Direct emissions"), self.installation_totals.direct_tco2, 3, "tCO2"),
                        Fact::num(l.pick("电网电力", "Grid electricity"), self.installation_totals.electricity_mwh, 3, "MWh"),
                        Fact::num(l.pick("其中逐时匹配", "of which hourly matched"), self.installation_totals.matched_mwh, 3, "MWh"),
                        Fact::num(l.pick("间接排放", "Indirect emissions"), self.installation_totals.indirect_tco2, 3, "tCO2"),
                    ])],
                },
                Section {
                    heading: l.pick("D. 生产路线", "D. Production processes and routes").into(),
                    sheet: "D_Processes".into(),
                    blocks: vec![Block::Table(Table {
                        caption: String::new(),
                        columns: route_columns,
                        rows: routes,
                    })],
                },
                Section {
                    heading: l.pick("产品汇总", "Summary per product").into(),
                    sheet: "Summary_Products".into(),
                    blocks: vec![Block::Table(goods), Block::Table(summary), Block::Chart(chart)],
                },
                Section {
                    heading: l.pick("说明与来源", "Notes and lineage").into(),
                    sheet: "Notes".into(),
                    blocks: notes,
                },
            ],
            footer: format!("zeropark · CBAM · {} · {}", i.credit_code, self.year),
        }
    }
}

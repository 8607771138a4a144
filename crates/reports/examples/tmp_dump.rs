#[path = "../tests/common/mod.rs"]
mod common;
use zp_reports::Lang;
fn main() {
    let font = common::font();
    let inv = common::whole();
    let r = zp_reports::ghg::build(zp_reports::ghg::GhgInput {
        lang: Lang::Zh,
        organisation: zp_reports::ghg::Organisation {
            credit_code: common::org().to_string(), name: "示例制造有限公司".into(), region: "CQ".into(),
            region_name: "重庆市".into(), industry: "3011".into(), park: Some("示例园区".into()), sites: vec!["kiln".into()],
        },
        inventory: inv, base_year: 2023, base: None, certificate_claims: vec![],
    });
    let pdf = zp_reports::pdf::render(&r.document(), &font).unwrap();
    std::fs::write("/tmp/ghg.pdf", pdf).unwrap();
}

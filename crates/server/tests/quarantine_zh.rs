//! The quarantine page in Chinese (issue 14, part 2): files with bad rows of every kind the
//! web uploads (ledgers with steam and certificate serials, production, materials,
//! energy-limit standards, indicator data, meters) are uploaded, and `/quarantine?lang=zh`
//! writes every reason from its Chinese template: no English kept after 原文, and the
//! Chinese of each kind's sample is there.

mod common;

use axum::http::StatusCode;
use common::*;

#[tokio::test]
async fn every_uploaded_kinds_reasons_are_chinese_on_the_quarantine_page() {
    let t = app();
    let a = org_a();
    let files = [
        (
            "activity",
            format!(
                "credit_code,period,carrier,quantity,unit,pressure_mpa,temperature_c,serials\n\
                 {a},2025-01,steam,100,t,1.0,150,\n\
                 {a},2025-02,green_certificate,2,certificate,,,X001..Y002\n"
            ),
        ),
        (
            "production",
            format!(
                "credit_code,period,product,cn_code,quantity_t,route\n\
                 {a},2025-01,水泥熟料,2523 10 00,-5,\n\
                 {a},2025-02,电解铝,01012100,5,\n"
            ),
        ),
        (
            "materials",
            format!(
                "credit_code,year,product,material,quantity,unit,kgco2e_per_unit,source\n\
                 {a},25,水泥熟料,,1,t,2,s\n"
            ),
        ),
        (
            "energy-limits",
            "standard,product,unit,level1,level2,level3,source\n\
             GB 16780-2021,水泥熟料,kgce/t,3,2,1,\n"
                .to_string(),
        ),
        (
            "indicators",
            "scope_id,indicator,period,value,unit,evidence\n\
             无名园区,water_reuse,2025,85,%,x\n"
                .to_string(),
        ),
        (
            "meters",
            format!("meter,credit_code,kind,source,site\nM 1,{a},steam,,\n"),
        ),
    ];
    for (kind, csv) in &files {
        let r = t
            .upload(
                "admin",
                &format!("/api/v1/imports/{kind}"),
                &format!("{kind}.csv"),
                csv.as_bytes(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{kind}: {}", r.text);
        assert!(r.json()["quarantined"].as_u64().unwrap() > 0, "{kind}");
    }
    let page = t.get(Some("admin"), "/quarantine?lang=zh&limit=1000").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.text.contains("原文"),
        "a reason kept its English: {}",
        page.text
            .split("原文")
            .nth(1)
            .map(|s| &s[..s.len().min(300)])
            .unwrap_or("")
    );
    for chinese in [
        "是液态水而非蒸汽",
        "前缀不同",
        "t 为负数",
        "不是 CBAM 产品",
        "不是 1990 至 2100 之间的四位年份",
        "原材料为空",
        "各级须满足 1 级 ≤ 2 级 ≤ 3 级",
        "来源为空",
        "既不是已登记的园区名称",
        "类型 <code>&#34;steam&#34;</code> 须为",
    ] {
        assert!(page.text.contains(chinese), "no {chinese:?} on the page");
    }
}

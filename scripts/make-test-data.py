#!/usr/bin/env python3
"""Writes the sample dataset in tests/data/ (deterministic). Run from the repo root."""
import csv, random, os
os.makedirs("tests/data", exist_ok=True)
os.chdir("tests/data")
CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def uscc(b): return b + CHARS[(31 - sum(CHARS.index(c) * w for c, w in zip(b, W)) % 31) % 31]
orgs = [
 ("91500112MA60CEM01", "重庆示例水泥有限公司", "CQ", "两江示例园区", "3011", "cement"),
 ("91500112MA60ELE02", "重庆示例电子科技有限公司", "CQ", "两江示例园区", "3971", "electronics"),
 ("91500112MA60AUT03", "重庆示例汽车零部件有限公司", "CQ", "两江示例园区", "3670", "auto"),
 ("91500112MA60DAT04", "重庆示例数据中心有限公司", "CQ", "两江示例园区", "6450", "datacentre"),
 ("91500112MA60PWR05", "重庆示例光伏组件有限公司", "", "两江示例园区", "3825", "pv"),
 ("91510100MA6CHEM06", "成都示例化工有限公司", "SC", "成渝示例园区", "2614", "chemical"),
]
codes = [uscc(b) for b, *_ in orgs]
with open("orgs.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["credit_code", "name", "region", "park", "industry", "contact"])
    for c, (b, name, region, park, ind, kind) in zip(codes, orgs):
        w.writerow([c, name, region, park, ind, "能源管理员"])
rnd = random.Random(2023)
season = [1.05, 0.95, 1.0, 0.98, 1.02, 1.1, 1.18, 1.2, 1.05, 0.98, 0.97, 1.04]
sun = [0.55, 0.65, 0.8, 0.95, 1.05, 1.1, 1.3, 1.35, 1.05, 0.9, 0.7, 0.55]
rows = []
for c, (_, _, _, _, _, kind) in zip(codes, orgs):
    for m in range(12):
        p = f"2023-{m+1:02d}"; s = season[m]
        def add(carrier, q, unit): rows.append([c, p, carrier, q, unit])
        if kind == "cement":
            add("raw_coal", round(7800 * s + rnd.uniform(-200, 200), 1), "t")
            add("electricity", round(1450 * s + rnd.uniform(-30, 30), 2), "万kWh")
            add("cement_clinker", round(82000 * s + rnd.uniform(-1500, 1500)), "t")
            add("diesel", round(18 + rnd.uniform(-2, 2), 2), "t")
        elif kind == "electronics":
            add("electricity", round(3200000 * s + rnd.uniform(-50000, 50000)), "kWh")
            add("natural_gas", round(18.5 * s + rnd.uniform(-1, 1), 2), "万m3")
            add("electricity_onsite_renewable", round(260000 * sun[m]), "kWh")
        elif kind == "auto":
            add("electricity", round(2100 * s + rnd.uniform(-40, 40), 1), "MWh")
            add("natural_gas", round(95000 * s + rnd.uniform(-3000, 3000)), "m3")
            add("steam_low_pressure", round(1200 * s + rnd.uniform(-50, 50)), "t")
        elif kind == "datacentre":
            add("electricity", round(5400 * s + rnd.uniform(-60, 60), 1), "MWh")
            add("diesel", round(1.2 + rnd.uniform(-0.3, 0.3), 2), "t")
        elif kind == "pv":
            add("electricity", round(900 * s + rnd.uniform(-20, 20), 1), "MWh")
            add("electricity_onsite_renewable", round(420 * sun[m], 1), "MWh")
        elif kind == "chemical":
            add("natural_gas", round(120 * s + rnd.uniform(-5, 5), 2), "万m3")
            add("electricity", round(4100 * s + rnd.uniform(-80, 80), 1), "MWh")
            add("heat", round(15000 * s + rnd.uniform(-500, 500)), "GJ")
    if kind == "electronics":
        rows.append([c, "2023-12", "green_certificate", 6000, "certificate"])
    if kind == "pv":
        rows.append([c, "2023-06", "绿证", 3000, "MWh"])
with open("activity_2023.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["credit_code", "period", "carrier", "quantity", "unit", "meter_no"])
    for r in rows: w.writerow(r + [""])
# Every kind of bad row, with good rows among them (rows 2 and 10 are good).
c0 = codes[0]
bad = [
    [c0, "2024-01", "electricity", "1500", "万kWh"],
    [c0, "2024-13", "electricity", "5", "kWh"],
    [uscc("91500112MA60XXX99"), "2024-01", "electricity", "5", "kWh"],
    ["91500112MA60CEM01X", "2024-01", "electricity", "5", "kWh"],
    [c0, "2024-01", "uranium", "5", "t"],
    [c0, "2024-01", "raw_coal", "5", "barrel"],
    [c0, "2024-01", "raw_coal", "-5", "t"],
    [c0, "2024-01", "diesel", "lots", "t"],
    [c0, "2024-02", "原煤", "7600", "吨"],
]
with open("activity_bad_rows.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["credit_code", "period", "carrier", "quantity", "unit"])
    for r in bad: w.writerow(r)
# A GB18030 ledger with Chinese headers and names, as a finance office exports it.
c1 = codes[1]
gb = "统一社会信用代码,期间,能源品种,数量,单位\n" + "\n".join(
    f"{c1},2024年{m}月,电力,{3100000 + m * 1000},千瓦时" for m in range(1, 4)) + f"\n{c1},2024年1月,天然气,17.5,万立方米\n"
open("activity_gb18030.csv", "wb").write(gb.encode("gb18030"))
with open("activity_restatement.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["credit_code", "period", "carrier", "quantity", "unit"])
    w.writerow([codes[3], "2023-07", "electricity", "6500", "MWh"])
with open("factors_revision.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f); w.writerow(["region", "region_zh", "year", "kind", "tco2_per_mwh", "published_by", "notice"])
    w.writerow(["CQ", "重庆", "2023", "average", "0.5400", "MEE/NBS", "test revision (fictional, for the recompute test)"])
print("codes:", codes)
print("activity rows:", len(rows))

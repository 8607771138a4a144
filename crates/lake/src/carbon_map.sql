-- The electricity-carbon map (电碳地图) over the lake: one plan, run by DataFusion in-process
-- and unchanged by Ballista. zp_lake::carbon_map_sql (and scripts/lake-throughput.py) fill
-- the placeholders in braces: scope, a condition on `orgs o`; start and end, the UTC window
-- [start, end) in epoch seconds; key and name, the group's columns of `e`; period, the
-- local period start of `p.hour` as UTC epoch seconds.
WITH e AS (
  SELECT o.credit_code, o.name, o.region, COALESCE(o.park, '(no park)') AS park, o.industry
  FROM orgs o WHERE {scope}
),
top_meters AS (
  SELECT m.meter, m.credit_code,
         m.kind IN ('consumption', 'battery_charge') AS is_load
  FROM meters m WHERE m.parent = ''
),
hourly AS (
  SELECT t.credit_code, r.ts - r.ts % 3600 AS hour,
         SUM(CASE WHEN t.is_load THEN r.wh ELSE 0 END) AS load_wh,
         SUM(CASE WHEN t.is_load THEN 0 ELSE r.wh END) AS supply_wh
  FROM readings r JOIN top_meters t ON r.meter = t.meter
  WHERE r.ts >= {start} AND r.ts < {end}
    AND r.region IN (SELECT region FROM e)
  GROUP BY t.credit_code, r.ts - r.ts % 3600
),
p AS (
  SELECT h.credit_code, h.hour, h.load_wh, h.supply_wh,
         CASE WHEN h.load_wh > h.supply_wh THEN h.load_wh - h.supply_wh ELSE 0 END AS import_wh,
         COALESCE(g.ng_per_wh, a.ng_per_wh, 0) AS ng_per_wh,
         g.ng_per_wh IS NULL AS fallback
  FROM hourly h
  JOIN e ON e.credit_code = h.credit_code
  LEFT JOIN grid_hourly g ON g.region = e.region AND g.ts = h.hour
  LEFT JOIN grid_annual a ON a.region = e.region AND h.hour >= a.year_start AND h.hour < a.year_end
)
SELECT {key} AS grp, {name} AS name, {period} AS period_start,
       SUM(p.load_wh) AS consumption_wh,
       SUM(p.supply_wh) AS generation_wh,
       SUM(p.import_wh) AS grid_import_wh,
       SUM(CAST(p.import_wh AS DECIMAL(20,0)) * CAST(p.ng_per_wh AS DECIMAL(20,0))) AS emissions_ngco2,
       SUM(CASE WHEN p.import_wh > 0 AND NOT p.fallback THEN 1 ELSE 0 END) AS hourly_hours,
       SUM(CASE WHEN p.import_wh > 0 AND p.fallback THEN 1 ELSE 0 END) AS fallback_hours
FROM p JOIN e ON e.credit_code = p.credit_code
GROUP BY {key}, {name}, {period}
HAVING SUM(p.load_wh) <> 0 OR SUM(p.supply_wh) <> 0
ORDER BY grp, period_start

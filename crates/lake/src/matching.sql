-- Hourly certificate matching (24/7 CFE, 逐时匹配) of one enterprise over the lake: one
-- plan, run by DataFusion in-process and unchanged by Ballista. zp_lake::matching_sql fills
-- the placeholders in braces: org and region, the enterprise's credit code and region as
-- SQL literals; start and end, the UTC window [start, end) in epoch seconds.
-- One row per hour with metered load: the load of the top consumption meters, the
-- certificates produced in that hour and cancelled (or claimed) for the enterprise and
-- that same hour, those of that hour still active in its account, and the grid's
-- carbon-free share of the hour (null when unknown).
WITH top_load AS (
  SELECT m.meter FROM meters m
  WHERE m.credit_code = {org} AND m.parent = '' AND m.kind = 'consumption'
),
load AS (
  SELECT r.ts - r.ts % 3600 AS hour, SUM(r.wh) AS load_wh
  FROM readings r JOIN top_load t ON r.meter = t.meter
  WHERE r.region = {region} AND r.credit_code = {org}
    AND r.ts >= {start} AND r.ts < {end}
  GROUP BY r.ts - r.ts % 3600
),
retired AS (
  SELECT c.production_ts AS hour, SUM(c.energy_wh) AS retired_wh
  FROM certificates c
  WHERE c.consumer = {org} AND c.status IN ('cancelled', 'claimed')
    AND c.consumption_ts = c.production_ts
    AND c.production_ts >= {start} AND c.production_ts < {end}
  GROUP BY c.production_ts
),
unretired AS (
  SELECT c.production_ts AS hour, SUM(c.energy_wh) AS unretired_wh
  FROM certificates c
  WHERE c.owner = {org} AND c.status = 'active'
    AND c.production_ts >= {start} AND c.production_ts < {end}
  GROUP BY c.production_ts
)
SELECT l.hour, l.load_wh,
       COALESCE(r.retired_wh, 0) AS retired_wh,
       COALESCE(u.unretired_wh, 0) AS unretired_wh,
       g.cfe_share
FROM load l
LEFT JOIN retired r ON r.hour = l.hour
LEFT JOIN unretired u ON u.hour = l.hour
LEFT JOIN grid_hourly g ON g.region = {region} AND g.ts = l.hour
ORDER BY l.hour

-- Open opportunities (status label Active) per stage value (kpi-spec §8, sales/pipeline); the report merges
-- stage values that share a label. Stages come in the tenant's picklist order (sort_order, then value).
SELECT o.stage AS stage_value,
       COUNT(*) AS opportunities,
       SUM(COALESCE(o.amount, 0)) AS amount,
       SUM(COALESCE(o.amount, 0) * COALESCE(o.probability, 0) / 100.0) AS weighted_amount,
       SUM(CASE WHEN o.probability IS NULL THEN 1 ELSE 0 END) AS without_probability,
       SUM(CASE WHEN o.amount IS NULL THEN 1 ELSE 0 END) AS without_amount
FROM opportunities o
LEFT JOIN picklists pk ON pk.entity = 'Opportunities' AND pk.field = 'stage' AND pk.value = o.stage
WHERE pl('Opportunities', 'status', o.status) = 'active'
GROUP BY o.stage
ORDER BY MIN(pk.sort_order) IS NULL, MIN(pk.sort_order), o.stage IS NULL, o.stage

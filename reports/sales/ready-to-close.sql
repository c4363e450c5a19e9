-- Open opportunities expected to close within 30 days, or very likely to close (kpi-spec §8,
-- sales/ready-to-close). projectedCloseDate is a calendar date compared with today in the zone.
SELECT o.id AS opportunity_id, o.title, o.companyID AS company_id, co.companyName AS company_name,
       o.ownerResourceID AS owner_id, r.firstName AS owner_first, r.lastName AS owner_last,
       o.stage AS stage_value, o.amount, o.probability, o.projectedCloseDate AS projected_close
FROM opportunities o
LEFT JOIN companies co ON co.id = o.companyID
LEFT JOIN resources r ON r.id = o.ownerResourceID
WHERE pl('Opportunities', 'status', o.status) = 'active'
  AND ((o.projectedCloseDate >= :today AND o.projectedCloseDate <= date(:today, '+30 days'))
       OR o.probability >= 75)
ORDER BY o.projectedCloseDate IS NULL, o.projectedCloseDate, o.amount DESC, o.id

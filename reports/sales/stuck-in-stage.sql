-- Open opportunities whose stage label is settings.salesEngineeringStage (kpi-spec §8, sales/stuck-in-stage).
SELECT o.id AS opportunity_id, o.title, o.companyID AS company_id, co.companyName AS company_name,
       o.ownerResourceID AS owner_id, r.firstName AS owner_first, r.lastName AS owner_last,
       o.createDate AS create_ms, o.lastActivity AS last_activity_ms
FROM opportunities o
LEFT JOIN companies co ON co.id = o.companyID
LEFT JOIN resources r ON r.id = o.ownerResourceID
WHERE pl('Opportunities', 'status', o.status) = 'active'
  AND pl('Opportunities', 'stage', o.stage) = :salesEngineeringStage

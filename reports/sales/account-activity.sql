-- Active companies of type Customer or Prospect with their owner and last activity (kpi-spec §8,
-- sales/account-activity).
SELECT c.id AS company_id, c.companyName AS company_name, c.ownerResourceID AS owner_id,
       r.firstName AS owner_first, r.lastName AS owner_last, c.lastActivityDate AS last_activity_ms
FROM companies c
LEFT JOIN resources r ON r.id = c.ownerResourceID
WHERE c.isActive = 1
  AND pl('Companies', 'companyType', c.companyType) IN ('customer', 'prospect')

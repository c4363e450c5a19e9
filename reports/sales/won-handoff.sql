-- Won deals of the last 30 days and their hand-offs (kpi-spec §8, sales/won-handoff). closedDate is a calendar
-- date meaning 00:00 in the zone, so "in [T − 30 d, T)" is :fromDay ≤ closedDate < :toDay. A linked row counts
-- whatever its own status; the partial indexes of migration 12 find the links.
SELECT o.id AS opportunity_id, o.title, o.companyID AS company_id, co.companyName AS company_name,
       o.ownerResourceID AS owner_id, r.firstName AS owner_first, r.lastName AS owner_last,
       o.closedDate AS closed, o.amount,
       COALESCE(o.monthlyRevenue, 0) + COALESCE(o.quarterlyRevenue, 0) + COALESCE(o.semiannualRevenue, 0) + COALESCE(o.yearlyRevenue, 0) AS recurring,
       COALESCE(o.onetimeCost, 0) AS onetime_cost,
       EXISTS (SELECT 1 FROM contracts c WHERE c.opportunityID = o.id) AS has_contract,
       EXISTS (SELECT 1 FROM sales_orders s WHERE s.opportunityID = o.id) AS has_sales_order,
       (EXISTS (SELECT 1 FROM projects p WHERE p.opportunityID = o.id) OR EXISTS (SELECT 1 FROM tickets t WHERE t.opportunityID = o.id)) AS has_delivery
FROM opportunities o
LEFT JOIN companies co ON co.id = o.companyID
LEFT JOIN resources r ON r.id = o.ownerResourceID
-- The date test comes first: the status label (a call into JavaScript) is looked up only in the window.
WHERE o.closedDate >= :fromDay AND o.closedDate < :toDay
  AND pl('Opportunities', 'status', o.status) IN ('closed', 'implemented')

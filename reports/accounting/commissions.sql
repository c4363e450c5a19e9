-- Won opportunities (status Closed or Implemented, kpi-spec §8) whose closedDate is in the window
-- (kpi-spec §7, accounting/commissions). closedDate is a calendar date meaning 00:00 in the zone, so
-- "in [from, to)" is :fromDay ≤ closedDate < :toDay.
SELECT o.id AS opportunity_id, o.ownerResourceID AS owner_id, r.firstName AS owner_first, r.lastName AS owner_last,
       o.amount, o.cost
FROM opportunities o
LEFT JOIN resources r ON r.id = o.ownerResourceID
-- The date test comes first: the status label (a call into JavaScript) is looked up only in the window.
WHERE o.closedDate >= :fromDay AND o.closedDate < :toDay
  AND pl('Opportunities', 'status', o.status) IN ('closed', 'implemented')

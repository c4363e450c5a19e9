-- Opportunities won (status Closed or Implemented, by closedDate) or lost (status Lost, by lostDate) in the
-- window (kpi-spec §8, sales/closed-last-week). The dates are calendar dates meaning 00:00 in the zone, so
-- "in [from, to)" is :fromDay ≤ date < :toDay. The date tests come first: the status label (a call into
-- JavaScript) is then looked up only for the few opportunities closed or lost in the window.
SELECT o.id AS opportunity_id, o.title, o.companyID AS company_id, co.companyName AS company_name,
       o.ownerResourceID AS owner_id, r.firstName AS owner_first, r.lastName AS owner_last,
       CASE WHEN pl('Opportunities', 'status', o.status) = 'lost' THEN 'lost' ELSE 'won' END AS outcome,
       CASE WHEN pl('Opportunities', 'status', o.status) = 'lost' THEN o.lostDate ELSE o.closedDate END AS closed_on,
       o.amount
FROM opportunities o
LEFT JOIN companies co ON co.id = o.companyID
LEFT JOIN resources r ON r.id = o.ownerResourceID
WHERE (o.closedDate >= :fromDay AND o.closedDate < :toDay AND pl('Opportunities', 'status', o.status) IN ('closed', 'implemented'))
   OR (o.lostDate >= :fromDay AND o.lostDate < :toDay AND pl('Opportunities', 'status', o.status) = 'lost')
ORDER BY outcome DESC, o.amount DESC, o.id

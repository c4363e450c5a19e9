-- Managed companies on :lastDay (E) with their active endpoints and reactive hours in the window
-- (kpi-spec §5 profitability/rhem). Contract dates missing in the store count as open-ended.
WITH managed AS (
  SELECT DISTINCT c.companyID AS company_id
  FROM contracts c
  WHERE c.companyID IS NOT NULL
    AND pl('Contracts', 'status', c.status) = 'active'
    AND pl('Contracts', 'contractType', c.contractType) IN (SELECT value FROM json_each(:managedContractTypes))
    AND COALESCE(c.startDate, '0000-01-01') <= :lastDay
    AND COALESCE(c.endDate, '9999-12-31') >= :lastDay
),
endpoints AS (
  SELECT ci.companyID AS company_id, COUNT(*) AS n
  FROM configuration_items ci
  JOIN managed m ON m.company_id = ci.companyID
  WHERE ci.isActive = 1
    AND ci.configurationItemType IN (SELECT value FROM json_each(:endpointTypeValues))
  GROUP BY ci.companyID
),
-- CROSS JOIN keeps the window's entries as the outer loop: a managed company's whole ticket history is
-- far larger than one month of entries. The in-memory workflow table drops non-reactive entries before
-- their ticket row is read. Endpoint types are matched through their picklist values (no per-row lookup).
reactive AS (
  SELECT t.companyID AS company_id, SUM(te.hoursWorked) AS hours
  FROM time_entries te
  CROSS JOIN ticket_wf w ON w.ticket_id = te.ticketID AND w.reactive = 1
  CROSS JOIN tickets t ON t.id = te.ticketID
  JOIN managed m ON m.company_id = t.companyID
  -- Both halves are ranges of the covering index time_entries_work (migration 5).
  WHERE (te.startDateTime >= :from AND te.startDateTime < :to)
     OR (te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay)
  GROUP BY t.companyID
)
SELECT m.company_id, co.companyName AS company_name, COALESCE(e.n, 0) AS endpoints, COALESCE(r.hours, 0) AS reactive_hours
FROM managed m
LEFT JOIN companies co ON co.id = m.company_id
LEFT JOIN endpoints e ON e.company_id = m.company_id
LEFT JOIN reactive r ON r.company_id = m.company_id
ORDER BY m.company_id

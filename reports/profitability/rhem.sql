-- Managed companies on :lastDay (E) with their active endpoints and reactive hours in the window
-- (kpi-spec §5 profitability/rhem). Contract dates missing in the store count as open-ended. Contract and
-- endpoint types are matched through their picklist values (no per-row lookup).
WITH managed AS (
  SELECT DISTINCT c.companyID AS company_id
  FROM contracts c
  WHERE c.companyID IS NOT NULL
    AND c.contractType IN (SELECT value FROM json_each(:managedContractTypeValues))
    AND pl('Contracts', 'status', c.status) = 'active'
    AND COALESCE(c.startDate, '0000-01-01') <= :lastDay
    AND COALESCE(c.endDate, '9999-12-31') >= :lastDay
),
-- CROSS JOIN keeps the window's entries as the outer loop: a managed company's whole ticket history is
-- far larger than one month of entries. The in-memory workflow table drops non-reactive entries before
-- their ticket's company is read from the narrow covering index tickets_id_company (migration 11).
-- The window's entries are the two disjoint ranges of the covering index time_entries_work (migration 5),
-- read one after the other (UNION ALL): as an OR, SQLite would gather and deduplicate their rowids first.
-- The sum adds the entries in the same order either way.
reactive AS (
  SELECT t.companyID AS company_id, SUM(we.hoursWorked) AS hours
  FROM (SELECT te.ticketID, te.hoursWorked FROM time_entries te WHERE te.startDateTime >= :from AND te.startDateTime < :to
        UNION ALL
        SELECT te.ticketID, te.hoursWorked FROM time_entries te
        WHERE te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay) we
  CROSS JOIN ticket_wf w ON w.ticket_id = we.ticketID AND w.reactive = 1
  CROSS JOIN tickets t INDEXED BY tickets_id_company ON t.id = we.ticketID
  JOIN managed m ON m.company_id = t.companyID
  GROUP BY t.companyID
)
-- Endpoints are counted per managed company through the covering index ci_company (migration 9): a few
-- index ranges instead of a scan of every configuration item.
SELECT m.company_id, co.companyName AS company_name,
       (SELECT COUNT(*) FROM configuration_items ci
        WHERE ci.companyID = m.company_id AND ci.isActive = 1
          AND ci.configurationItemType IN (SELECT value FROM json_each(:endpointTypeValues))) AS endpoints,
       COALESCE(r.hours, 0) AS reactive_hours
FROM managed m
LEFT JOIN companies co ON co.id = m.company_id
LEFT JOIN reactive r ON r.company_id = m.company_id
ORDER BY m.company_id

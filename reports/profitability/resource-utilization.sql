-- Client and billable hours per resource for entries whose work instant is in the window
-- (kpi-spec §1 work instant, §5 profitability/resource-utilization).
-- Client work: the entry's ticket's company, else its task's project's company, is set and not 0.
-- The window's entries are the two disjoint ranges of the covering index time_entries_work (migration 5),
-- read one after the other (UNION ALL): as an OR, SQLite would gather and deduplicate their rowids first.
-- The sums add the entries in the same order either way. Tickets' companies come from the narrow covering
-- index tickets_id_company (migration 11); a task's project is looked up only for entries whose ticket gives
-- no company (COALESCE evaluates its second argument only then).
SELECT we.resourceID AS resource_id,
       SUM(we.hoursWorked) AS client_hours,
       SUM(CASE WHEN COALESCE(we.isNonBillable, 0) = 0 THEN we.hoursWorked ELSE 0 END) AS billable_hours
FROM (SELECT te.resourceID, te.ticketID, te.taskID, te.hoursWorked, te.isNonBillable FROM time_entries te
      WHERE te.startDateTime >= :from AND te.startDateTime < :to AND te.resourceID IS NOT NULL
      UNION ALL
      SELECT te.resourceID, te.ticketID, te.taskID, te.hoursWorked, te.isNonBillable FROM time_entries te
      WHERE te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay AND te.resourceID IS NOT NULL) we
LEFT JOIN tickets t INDEXED BY tickets_id_company ON t.id = we.ticketID
WHERE COALESCE(t.companyID, (SELECT p.companyID FROM tasks k JOIN projects p ON p.id = k.projectID WHERE k.id = we.taskID)) <> 0
GROUP BY we.resourceID

-- Client and billable hours per resource for entries whose work instant is in the window
-- (kpi-spec §1 work instant, §5 profitability/resource-utilization). The OR form keeps both halves indexable.
-- Client work: the entry's ticket's company, else its task's project's company, is set and not 0.
SELECT te.resourceID AS resource_id,
       SUM(te.hoursWorked) AS client_hours,
       SUM(CASE WHEN COALESCE(te.isNonBillable, 0) = 0 THEN te.hoursWorked ELSE 0 END) AS billable_hours
FROM time_entries te
LEFT JOIN tickets t ON t.id = te.ticketID
LEFT JOIN tasks k ON k.id = te.taskID
LEFT JOIN projects p ON p.id = k.projectID
-- Both halves are ranges of the covering index time_entries_work (migration 5).
WHERE ((te.startDateTime >= :from AND te.startDateTime < :to)
    OR (te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay))
  AND COALESCE(t.companyID, p.companyID) <> 0
  AND te.resourceID IS NOT NULL
GROUP BY te.resourceID

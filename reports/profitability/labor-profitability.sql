-- Hours of every entry in the window by company (the ticket's company, else the task's project's company;
-- NULL for entries on neither) and resource (kpi-spec §5). Costs and names are joined after grouping.
-- Tickets are read through the narrow covering index tickets_id_company (migration 11): by id, SQLite would
-- otherwise read each whole ticket row.
SELECT COALESCE(t.companyID, p.companyID) AS company_id, te.resourceID AS resource_id, SUM(COALESCE(te.hoursWorked, 0)) AS hours
FROM time_entries te
LEFT JOIN tickets t INDEXED BY tickets_id_company ON t.id = te.ticketID
LEFT JOIN tasks k ON k.id = te.taskID
LEFT JOIN projects p ON p.id = k.projectID
-- Both halves are ranges of the covering index time_entries_work (migration 5).
WHERE (te.startDateTime >= :from AND te.startDateTime < :to)
   OR (te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay)
GROUP BY COALESCE(t.companyID, p.companyID), te.resourceID

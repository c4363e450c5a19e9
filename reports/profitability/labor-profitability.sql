-- Hours of every entry in the window by company (the ticket's company, else the task's project's company;
-- NULL for entries on neither) and resource (kpi-spec §5). Costs and names are joined after grouping.
-- Tickets are read through the narrow covering index tickets_id_company (migration 11): by id, SQLite would
-- otherwise read each whole ticket row. The task and its project are looked up only for entries whose
-- ticket gives no company (COALESCE evaluates its second argument only then).
-- The window's entries are the two disjoint ranges of the covering index time_entries_work (migration 5),
-- read one after the other (UNION ALL): as an OR, SQLite would gather and deduplicate their rowids first.
-- The sums add the entries in the same order either way.
SELECT COALESCE(t.companyID, (SELECT p.companyID FROM tasks k JOIN projects p ON p.id = k.projectID WHERE k.id = we.taskID)) AS company_id,
       we.resourceID AS resource_id, SUM(COALESCE(we.hoursWorked, 0)) AS hours
FROM (SELECT te.resourceID, te.ticketID, te.taskID, te.hoursWorked FROM time_entries te
      WHERE te.startDateTime >= :from AND te.startDateTime < :to
      UNION ALL
      SELECT te.resourceID, te.ticketID, te.taskID, te.hoursWorked FROM time_entries te
      WHERE te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay) we
LEFT JOIN tickets t INDEXED BY tickets_id_company ON t.id = we.ticketID
GROUP BY 1, 2

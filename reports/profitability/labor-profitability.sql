-- Hours of every entry in the window by company (the ticket's company, else the task's project's company;
-- NULL for entries on neither) and resource, with the resource's internal cost (kpi-spec §5).
SELECT COALESCE(t.companyID, p.companyID) AS company_id, co.companyName AS company_name,
       te.resourceID AS resource_id, r.internalCost AS internal_cost, SUM(COALESCE(te.hoursWorked, 0)) AS hours
FROM time_entries te
LEFT JOIN tickets t ON t.id = te.ticketID
LEFT JOIN tasks k ON k.id = te.taskID
LEFT JOIN projects p ON p.id = k.projectID
LEFT JOIN resources r ON r.id = te.resourceID
LEFT JOIN companies co ON co.id = COALESCE(t.companyID, p.companyID)
-- Unary + keeps the start index off the IS NULL test, so the second half reads the window's dates
-- through time_entries_date instead of every start-less entry of all history.
WHERE (te.startDateTime >= :from AND te.startDateTime < :to)
   OR (+te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay)
GROUP BY COALESCE(t.companyID, p.companyID), te.resourceID

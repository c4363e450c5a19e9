-- Hours of every entry in the window by resource only: what a past period of the trend needs (its metrics;
-- its rows are not kept), without the ticket, task and project reads that place each entry's company.
-- Both halves are ranges of the covering index time_entries_work (migration 5).
SELECT te.resourceID AS resource_id, SUM(COALESCE(te.hoursWorked, 0)) AS hours
FROM time_entries te
WHERE (te.startDateTime >= :from AND te.startDateTime < :to)
   OR (te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay)
GROUP BY te.resourceID

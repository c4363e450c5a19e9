-- Hours of every entry in the window by resource only: what a past period of the trend needs (its metrics;
-- its rows are not kept), without the ticket, task and project reads that place each entry's company.
-- The window's entries are the two disjoint ranges of the covering index time_entries_work (migration 5),
-- read one after the other (UNION ALL): as an OR, SQLite would gather and deduplicate their rowids first.
-- The sums add the entries in the same order either way.
SELECT we.resourceID AS resource_id, SUM(COALESCE(we.hoursWorked, 0)) AS hours
FROM (SELECT te.resourceID, te.hoursWorked FROM time_entries te
      WHERE te.startDateTime >= :from AND te.startDateTime < :to
      UNION ALL
      SELECT te.resourceID, te.hoursWorked FROM time_entries te
      WHERE te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay) we
GROUP BY we.resourceID

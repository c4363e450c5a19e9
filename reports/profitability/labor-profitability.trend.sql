-- Hours of every entry in the window by resource only: what a past period of the trend needs (its metrics;
-- its rows are not kept), without the ticket, task and project reads that place each entry's company.
-- Read resource by resource from the covering index time_entries_resource (widened in migration 26), so no
-- sort of the window's entries is needed: the resources with time are found by stepping through the index
-- (a few hundred probes), then each one's two ranges (start time in the window; no start time and a date
-- in the window) are summed. Rows come out as GROUP BY resourceID gave them (the entries without a resource
-- first, then by id), and each sum adds the same values in the same order as a scan of time_entries_work:
-- within one resource both indexes order by start time, date, ticket, task, then hours.
WITH RECURSIVE resources_with_time(id) AS (
  SELECT MIN(resourceID) FROM time_entries INDEXED BY time_entries_resource
  UNION ALL
  SELECT (SELECT MIN(resourceID) FROM time_entries INDEXED BY time_entries_resource WHERE resourceID > r.id)
  FROM resources_with_time r WHERE r.id IS NOT NULL
),
ids(id) AS (SELECT NULL UNION ALL SELECT id FROM resources_with_time WHERE id IS NOT NULL),
sums AS MATERIALIZED (
  SELECT ids.id AS resource_id,
         (SELECT SUM(COALESCE(we.hoursWorked, 0)) FROM (
            SELECT te.hoursWorked FROM time_entries te INDEXED BY time_entries_resource
            WHERE te.resourceID IS ids.id AND te.startDateTime >= :from AND te.startDateTime < :to
            UNION ALL
            SELECT te.hoursWorked FROM time_entries te INDEXED BY time_entries_resource
            WHERE te.resourceID IS ids.id AND te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay) we) AS hours
  FROM ids
)
SELECT resource_id, hours FROM sums WHERE hours IS NOT NULL

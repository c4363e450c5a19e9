-- Unapproved billable time (kpi-spec §7, accounting/approve-and-post), summed per company and age bucket.
-- The work instant is startDateTime, else 00:00 of dateWorked in the zone; "work instant < T" is written
-- without a function call so the filter stays cheap on a large time_entries table (for a point-in-time
-- report :toDay is the first date whose 00:00 is at or after T, so dateWorked < :toDay ⇔ its 00:00 < T).
-- `billingApprovalDateTime IS NULL` matches the partial index time_entries_unapproved (migration 4, covering
-- every column read here since migration 6), so only unapproved entries are read, from the index alone;
-- the unary + keeps the planner off the startDateTime index, which would match nearly every entry.
-- MATERIALIZED computes each work instant once, not once per use below.
-- Company names are joined to the groups, not to each entry.
-- Tickets are read through the narrow covering index tickets_id_company (migration 11): by id, SQLite would
-- otherwise read each whole ticket row.
WITH unapproved AS MATERIALIZED (
  SELECT te.id, te.hoursToBill AS hours, ro.hourlyRate AS rate,
         COALESCE(te.startDateTime, day_ms(te.dateWorked)) AS work_at, -- work_ms(), calling JS only for date-only entries
         COALESCE(t.companyID, p.companyID) AS company_id
  FROM time_entries te
  LEFT JOIN tickets t INDEXED BY tickets_id_company ON t.id = te.ticketID
  LEFT JOIN tasks k ON k.id = te.taskID
  LEFT JOIN projects p ON p.id = k.projectID
  LEFT JOIN roles ro ON ro.id = te.roleID
  WHERE te.billingApprovalDateTime IS NULL
    AND COALESCE(te.isNonBillable, 0) = 0
    AND te.hoursToBill > 0
    AND (+te.startDateTime < :asOf OR (te.startDateTime IS NULL AND te.dateWorked < :toDay))
    AND NOT EXISTS (SELECT 1 FROM billing_items b WHERE b.timeEntryID = te.id)
)
SELECT g.company_id, c.companyName AS company_name, g.bucket, g.entries, g.hours, g.value, g.without_rate, g.oldest_at
FROM (
  SELECT u.company_id,
         CASE WHEN :asOf - u.work_at > 30 * 86400000 THEN 'over_30d'
              WHEN :asOf - u.work_at > 7 * 86400000 THEN 'over_7d'
              ELSE 'recent' END AS bucket,
         COUNT(*) AS entries,
         SUM(u.hours) AS hours,
         SUM(u.hours * COALESCE(u.rate, 0)) AS value,
         SUM(CASE WHEN u.rate IS NULL THEN 1 ELSE 0 END) AS without_rate,
         MIN(u.work_at) AS oldest_at
  FROM unapproved u
  GROUP BY u.company_id, bucket
) g
LEFT JOIN companies c ON c.id = g.company_id

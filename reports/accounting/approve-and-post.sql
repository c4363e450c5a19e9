-- Unapproved billable time (kpi-spec §7, accounting/approve-and-post): the entries themselves, one row each with
-- what an accountant approves them by (the date worked, the ticket or project task); approve-and-post.ts sums them
-- per company, age bucket and resource (one read of the entries for the metrics, the rows and both lists).
-- The work instant is startDateTime, else 00:00 of dateWorked in the zone; "work instant < T" is written
-- without a function call so the filter stays cheap on a large time_entries table (for a point-in-time
-- report :toDay is the first date whose 00:00 is at or after T, so dateWorked < :toDay ⇔ its 00:00 < T).
-- `billingApprovalDateTime IS NULL` matches the partial index time_entries_unapproved (migration 4, covering
-- every column read here since migration 6), so only unapproved entries are read, from the index alone;
-- the unary + keeps the planner off the startDateTime index, which would match nearly every entry.
-- MATERIALIZED computes each work instant once, not once per use below. The rows come in no particular order:
-- approve-and-post.ts sorts them (oldest first, then by id), cheaper in JavaScript than a sort in SQL.
-- Resource and company names are not joined here: a few thousand names would be handed to JavaScript once per
-- entry (tens of thousands of strings); approve-and-post.ts reads them once each (approve-and-post.companies.sql and .resources.sql).
-- Tickets are read through the narrow covering index tickets_id_company (migration 11): by id, SQLite would
-- otherwise read each whole ticket row.
WITH unapproved AS MATERIALIZED (
  SELECT te.id, te.resourceID AS resource_id, te.dateWorked AS date_worked, te.startDateTime AS start_at,
         te.hoursToBill AS hours, ro.hourlyRate AS rate,
         COALESCE(te.startDateTime, day_ms(te.dateWorked)) AS work_at,
         te.ticketID AS ticket_id, te.taskID AS task_id,
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
SELECT u.id AS time_entry_id, u.resource_id,
       u.date_worked, u.start_at, u.work_at, u.hours, u.hours * COALESCE(u.rate, 0) AS value, u.rate IS NULL AS without_rate,
       u.company_id,
       u.ticket_id, t.ticketNumber AS ticket_number, t.title AS ticket_title,
       u.task_id, k.title AS task_title, p.projectName AS project_name
FROM unapproved u
LEFT JOIN tickets t ON t.id = u.ticket_id
LEFT JOIN tasks k ON k.id = u.task_id
LEFT JOIN projects p ON p.id = k.projectID

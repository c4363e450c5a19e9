-- The unapproved billable entries themselves (the same selection as approve-and-post.sql), one row each with
-- what an accountant approves them by: the resource, the date worked, the ticket or project task and the
-- company. Read through the same partial index, which carries resourceID too since migration 26: no
-- time_entries row is read. Resource and company names are not joined here: a few thousand names would be
-- handed to JavaScript once per entry (tens of thousands of strings); approve-and-post.ts reads them once each.
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
ORDER BY u.work_at, u.id

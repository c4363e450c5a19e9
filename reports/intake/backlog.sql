-- Open backlog tickets (kpi-spec §4, intake/backlog): not complete (a status without a known label is open;
-- labels are matched through the value lists the engine resolves once, no per-row label lookup),
-- no project, workflow flagged backlog, created at or before T. Oldest first.
-- The open tickets are found in the covering index tickets_status_cover (the unary + keeps the planner off
-- tickets_create, whose range would cover nearly every ticket), then only their rows are read.
WITH open_t AS MATERIALIZED (
  SELECT id FROM tickets
  WHERE projectID IS NULL
    AND createDate IS NOT NULL AND +createDate <= :asOf
    AND COALESCE(status IN (SELECT value FROM json_each(:completeStatusValues)), 0) = 0
)
SELECT t.id AS ticket_id, t.ticketNumber AS ticket_number, t.title,
       t.companyID AS company_id, c.companyName AS company,
       t.status AS status_value, w.workflow,
       t.assignedResourceID AS resource_id,
       NULLIF(TRIM(COALESCE(r.firstName, '') || ' ' || COALESCE(r.lastName, '')), '') AS resource_name,
       t.createDate AS create_ms, t.lastActivityDate AS activity_ms
FROM open_t o
CROSS JOIN tickets t ON t.id = o.id
JOIN ticket_wf w ON w.ticket_id = t.id AND w.backlog = 1
LEFT JOIN companies c ON c.id = t.companyID
LEFT JOIN resources r ON r.id = t.assignedResourceID
ORDER BY t.createDate, t.id

-- Open backlog tickets (kpi-spec §4, intake/backlog): not complete (a status without a known label is open;
-- labels are matched through the value lists the engine resolves once, no per-row label lookup),
-- no project, workflow flagged backlog, created at or before T. Oldest first.
SELECT t.id AS ticket_id, t.ticketNumber AS ticket_number, t.title,
       t.companyID AS company_id, c.companyName AS company,
       t.status AS status_value, w.workflow,
       t.assignedResourceID AS resource_id,
       NULLIF(TRIM(COALESCE(r.firstName, '') || ' ' || COALESCE(r.lastName, '')), '') AS resource_name,
       t.createDate AS create_ms, t.lastActivityDate AS activity_ms
FROM tickets t
JOIN ticket_wf w ON w.ticket_id = t.id AND w.backlog = 1
LEFT JOIN companies c ON c.id = t.companyID
LEFT JOIN resources r ON r.id = t.assignedResourceID
WHERE t.projectID IS NULL
  AND t.createDate IS NOT NULL AND t.createDate <= :asOf
  AND COALESCE(t.status IN (SELECT value FROM json_each(:completeStatusValues)), 0) = 0
ORDER BY t.createDate, t.id

-- Open backlog tickets (kpi-spec §4, intake/backlog): not complete (a status without a known label is open;
-- labels are matched through the value lists the engine resolves once, no per-row label lookup),
-- no project, workflow flagged backlog, created at or before T. Oldest first.
-- The open tickets are read from the covering index tickets_status_cover one status at a time: the distinct
-- statuses are found by a skip scan (a few seeks; every status appears once, in index order), those not
-- complete are kept, and each one's range (status = v AND projectID IS NULL) is read, with the NULL status
-- (open) as its own range. A scan of the whole index tested every ticket, nearly all of them complete.
-- (The unary + keeps the planner off tickets_create, whose range would cover nearly every ticket.)
WITH RECURSIVE statuses(v) AS (
  SELECT min(status) FROM tickets
  UNION ALL
  SELECT (SELECT min(status) FROM tickets WHERE status > statuses.v) FROM statuses WHERE statuses.v IS NOT NULL
),
open_t AS MATERIALIZED (
  SELECT tk.id FROM statuses s CROSS JOIN tickets tk ON tk.status = s.v
  WHERE s.v IS NOT NULL AND s.v NOT IN (SELECT value FROM json_each(:completeStatusValues))
    AND tk.projectID IS NULL AND tk.createDate IS NOT NULL AND +tk.createDate <= :asOf
  UNION ALL
  SELECT id FROM tickets
  WHERE status IS NULL AND projectID IS NULL AND createDate IS NOT NULL AND +createDate <= :asOf
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

-- Open tickets in an on-hold status whose due date has passed (kpi-spec §4, intake/on-hold-past-due).
SELECT t.id AS ticket_id, t.ticketNumber AS ticket_number, t.title, t.status AS status_value,
       t.dueDateTime AS due_ms, t.companyID AS company_id, c.companyName AS company,
       t.assignedResourceID AS resource_id,
       NULLIF(TRIM(COALESCE(r.firstName, '') || ' ' || COALESCE(r.lastName, '')), '') AS resource_name
FROM tickets t
LEFT JOIN companies c ON c.id = t.companyID
LEFT JOIN resources r ON r.id = t.assignedResourceID
WHERE t.status IN (SELECT value FROM json_each(:onHoldStatusValues))
  AND t.status NOT IN (SELECT value FROM json_each(:completeStatusValues))
  AND t.dueDateTime IS NOT NULL
  AND t.dueDateTime < :asOf
ORDER BY t.dueDateTime, t.id

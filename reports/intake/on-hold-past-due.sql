-- Open tickets in an on-hold status whose due date has passed (kpi-spec §4, intake/on-hold-past-due).
SELECT t.id AS ticket_id, t.ticketNumber AS ticket_number, t.title, t.status AS status_value,
       t.dueDateTime AS due_ms
FROM tickets t
WHERE pl('Tickets', 'status', t.status) IN (SELECT value FROM json_each(:onHoldStatuses))
  AND pl('Tickets', 'status', t.status) NOT IN (SELECT value FROM json_each(:completeStatuses))
  AND t.dueDateTime IS NOT NULL
  AND t.dueDateTime < :asOf
ORDER BY t.dueDateTime, t.id

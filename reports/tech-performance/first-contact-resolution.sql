-- Tickets of fcr-flagged workflows with their create date (kpi-spec §6 first-contact-resolution).
-- The tickets are read from the covering index tickets_create (id and createDate), not row by row.
SELECT t.id AS ticket_id, t.createDate AS created_ms
FROM tickets t CROSS JOIN ticket_wf w ON w.ticket_id = t.id
WHERE w.fcr = 1
ORDER BY +t.id

-- Tickets of fcr-flagged workflows with their create date (kpi-spec §6 first-contact-resolution).
SELECT w.ticket_id, t.createDate AS created_ms
FROM ticket_wf w JOIN tickets t ON t.id = w.ticket_id
WHERE w.fcr = 1
ORDER BY w.ticket_id

-- Tickets created in the window, by workflow (kpi-spec §4, intake/workflow-distribution).
SELECT w.workflow, COUNT(*) AS tickets
FROM tickets t
JOIN ticket_wf w ON w.ticket_id = t.id
WHERE t.createDate >= :from AND t.createDate < :to
GROUP BY w.workflow

-- Tickets of backlog-flagged workflows (service-desk work, kpi-spec §3 "completed tickets").
SELECT ticket_id FROM ticket_wf WHERE backlog = 1 ORDER BY ticket_id

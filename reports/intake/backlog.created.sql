-- Backlog-workflow tickets created in the kill-rate window [:killFrom, :killTo).
SELECT COUNT(*) AS n
FROM tickets t
JOIN ticket_wf w ON w.ticket_id = t.id AND w.backlog = 1
WHERE t.createDate >= :killFrom AND t.createDate < :killTo

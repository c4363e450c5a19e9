-- Backlog-workflow tickets with a completion event (kpi-spec §3) in the kill-rate window [:killFrom, :killTo),
-- each counted once. A completion event is a ticket state record whose status is complete (matched through
-- the value list the engine resolves from the labels of settings.completeStatuses, as the history does);
-- its time is the record's completedDate, else its changedAt. Tickets without records have no event; records
-- of tickets no longer stored (deleted) do not count, since only tickets with a workflow row do.
-- The events of the week alone are read, through the index ticket_states_completion (migration 25) on this
-- very expression, not the whole history (src/reporting/history.ts gives the same answer:
-- test/reports/intake/backlog-completions.test.ts compares the two).
SELECT COUNT(DISTINCT s.ticket_id) AS n
FROM ticket_states s
JOIN ticket_wf w ON w.ticket_id = s.ticket_id AND w.backlog = 1
WHERE s.status IN (SELECT value FROM json_each(:completeStatusValues))
  AND COALESCE(s.completed_date, s.changed_at) >= :killFrom
  AND COALESCE(s.completed_date, s.changed_at) < :killTo

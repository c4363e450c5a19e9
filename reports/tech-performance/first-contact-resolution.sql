-- Tickets of fcr-flagged workflows (kpi-spec §6 first-contact-resolution) with a completion event in the
-- window (kpi-spec §3 "completed tickets"): a state record whose status is complete, at its completed_date,
-- else changed_at, the event history.ts makes, so exactly the tickets completionsInWindow keeps. A range of
-- the covering index ticket_states_completion (migration 26), in ticket order. Their create dates are read
-- in first-contact-resolution.entries.sql for the eligible ones only.
SELECT DISTINCT w.ticket_id
FROM ticket_states s
JOIN ticket_wf w ON w.ticket_id = s.ticket_id AND w.fcr = 1
WHERE COALESCE(s.completed_date, s.changed_at) >= :from AND COALESCE(s.completed_date, s.changed_at) < :to
  AND s.status IN (SELECT value FROM json_each(:completeStatusValues))
ORDER BY w.ticket_id

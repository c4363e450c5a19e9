-- Tickets of fcr-flagged workflows (kpi-spec §6 first-contact-resolution); their create dates are read in
-- first-contact-resolution.entries.sql for the eligible ones only.
SELECT ticket_id FROM ticket_wf WHERE fcr = 1 ORDER BY ticket_id

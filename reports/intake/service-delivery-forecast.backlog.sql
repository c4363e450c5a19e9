-- Open tickets without a project: remaining = max(estimatedHours − Σ hoursWorked ever logged, 0).
-- A status without a known label counts as open. The per-ticket sum uses the time_entries(ticketID) index.
WITH open_t AS (
  SELECT t.id, t.estimatedHours,
         (SELECT SUM(te.hoursWorked) FROM time_entries te WHERE te.ticketID = t.id) AS worked
  FROM tickets t
  WHERE t.projectID IS NULL
    AND COALESCE(t.status IN (SELECT value FROM json_each(:completeStatusValues)), 0) = 0
)
SELECT COUNT(*) AS open_tickets,
       COALESCE(SUM(MAX(COALESCE(estimatedHours, 0) - COALESCE(worked, 0), 0)), 0) AS remaining,
       COALESCE(SUM(estimatedHours IS NULL OR estimatedHours = 0), 0) AS without_estimate
FROM open_t

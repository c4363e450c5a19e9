-- SLA events by workflow (kpi-spec §4, intake/sla-performance). Population: tickets with an SLA.
-- For each event: measured = actual in [from, to) with a due time; met = measured and actual <= due;
-- breached open = ticket not complete, actual empty, due < T. A status without a known label is not complete.
-- The tickets that can count are found by index, not by a pass over every ticket: each event's instant in
-- the window is a range (tickets_sla_first_response and tickets_sla_resolution_plan, migration 26, hold only
-- tickets with an SLA; tickets_resolved), and the tickets not complete are those of the few distinct statuses
-- that are not complete (or of none), found by stepping through tickets_status_cover. The WHERE below still
-- states the population; the candidates only say where to look.
WITH RECURSIVE statuses(v) AS (
  SELECT MIN(status) FROM tickets
  UNION ALL
  SELECT (SELECT MIN(status) FROM tickets WHERE status > statuses.v) FROM statuses WHERE statuses.v IS NOT NULL
),
candidates(id) AS (
  SELECT id FROM tickets INDEXED BY tickets_sla_first_response
  WHERE serviceLevelAgreementID IS NOT NULL AND firstResponseDateTime >= :from AND firstResponseDateTime < :to
  UNION
  SELECT id FROM tickets INDEXED BY tickets_sla_resolution_plan
  WHERE serviceLevelAgreementID IS NOT NULL AND resolutionPlanDateTime >= :from AND resolutionPlanDateTime < :to
  UNION
  SELECT id FROM tickets INDEXED BY tickets_resolved
  WHERE resolvedDateTime >= :from AND resolvedDateTime < :to
  UNION
  SELECT id FROM tickets
  WHERE status IS NULL
     OR status IN (SELECT v FROM statuses WHERE v IS NOT NULL AND v NOT IN (SELECT value FROM json_each(:completeStatusValues)))
),
s AS (
  SELECT t.*, w.workflow,
         COALESCE(t.status IN (SELECT value FROM json_each(:completeStatusValues)), 0) AS complete
  FROM candidates c
  CROSS JOIN tickets t ON t.id = c.id
  JOIN ticket_wf w ON w.ticket_id = t.id
  WHERE t.serviceLevelAgreementID IS NOT NULL
    -- Only tickets that can count below: an event in the window, or not complete (breached open).
    AND ((t.firstResponseDateTime >= :from AND t.firstResponseDateTime < :to)
      OR (t.resolutionPlanDateTime >= :from AND t.resolutionPlanDateTime < :to)
      OR (t.resolvedDateTime >= :from AND t.resolvedDateTime < :to)
      OR COALESCE(t.status IN (SELECT value FROM json_each(:completeStatusValues)), 0) = 0)
)
SELECT workflow,
  SUM(firstResponseDateTime >= :from AND firstResponseDateTime < :to AND firstResponseDueDateTime IS NOT NULL) AS fr_measured,
  SUM(firstResponseDateTime >= :from AND firstResponseDateTime < :to AND firstResponseDueDateTime IS NOT NULL
      AND firstResponseDateTime <= firstResponseDueDateTime) AS fr_met,
  SUM(complete = 0 AND firstResponseDateTime IS NULL AND firstResponseDueDateTime < :asOf) AS fr_breached,
  SUM(resolutionPlanDateTime >= :from AND resolutionPlanDateTime < :to AND resolutionPlanDueDateTime IS NOT NULL) AS rp_measured,
  SUM(resolutionPlanDateTime >= :from AND resolutionPlanDateTime < :to AND resolutionPlanDueDateTime IS NOT NULL
      AND resolutionPlanDateTime <= resolutionPlanDueDateTime) AS rp_met,
  SUM(complete = 0 AND resolutionPlanDateTime IS NULL AND resolutionPlanDueDateTime < :asOf) AS rp_breached,
  SUM(resolvedDateTime >= :from AND resolvedDateTime < :to AND resolvedDueDateTime IS NOT NULL) AS rs_measured,
  SUM(resolvedDateTime >= :from AND resolvedDateTime < :to AND resolvedDueDateTime IS NOT NULL
      AND resolvedDateTime <= resolvedDueDateTime) AS rs_met,
  SUM(complete = 0 AND resolvedDateTime IS NULL AND resolvedDueDateTime < :asOf) AS rs_breached
FROM s
GROUP BY workflow

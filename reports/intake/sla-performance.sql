-- SLA events by workflow (kpi-spec §4, intake/sla-performance). Population: tickets with an SLA.
-- For each event: measured = actual in [from, to) with a due time; met = measured and actual <= due;
-- breached open = ticket not complete, actual empty, due < T. A status without a known label is not complete.
WITH s AS (
  SELECT t.*, w.workflow,
         COALESCE(t.status IN (SELECT value FROM json_each(:completeStatusValues)), 0) AS complete
  FROM tickets t
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

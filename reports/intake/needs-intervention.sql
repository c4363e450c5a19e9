-- The dispatcher's list (kpi-spec §4, intake/needs-intervention): open tickets (status not complete; a status
-- without a known label is open), without a project, of a workflow flagged backlog, with what the reasons
-- need. The reasons themselves are decided in needs-intervention.ts, one place for the rules.
WITH open_t AS MATERIALIZED (
  SELECT id FROM tickets
  WHERE projectID IS NULL
    AND COALESCE(status IN (SELECT value FROM json_each(:completeStatusValues)), 0) = 0
)
SELECT t.id AS ticket_id, t.ticketNumber AS ticket_number, t.title,
       t.companyID AS company_id, c.companyName AS company, w.workflow,
       t.status AS status_value,
       t.assignedResourceID AS resource_id,
       NULLIF(TRIM(COALESCE(r.firstName, '') || ' ' || COALESCE(r.lastName, '')), '') AS resource_name,
       t.createDate AS create_ms, t.lastActivityDate AS activity_ms,
       t.firstResponseDateTime AS fr_at, t.firstResponseDueDateTime AS fr_due,
       t.resolutionPlanDateTime AS rp_at, t.resolutionPlanDueDateTime AS rp_due,
       t.resolvedDateTime AS rs_at, t.resolvedDueDateTime AS rs_due
FROM open_t o
CROSS JOIN tickets t ON t.id = o.id
JOIN ticket_wf w ON w.ticket_id = t.id AND w.backlog = 1
LEFT JOIN companies c ON c.id = t.companyID
LEFT JOIN resources r ON r.id = t.assignedResourceID

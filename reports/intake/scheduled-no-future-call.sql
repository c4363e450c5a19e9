-- Open tickets in a scheduled status with no future, live service call (kpi-spec §4,
-- intake/scheduled-no-future-call). A future call: startDateTime > T, not complete (isComplete 0; an empty
-- flag counts as not complete), not cancelled (canceledDateTime empty). last_call_ms: the latest start of
-- any linked call, whatever its state. A link to a call missing from the store is ignored.
SELECT t.id AS ticket_id, t.ticketNumber AS ticket_number, t.title, t.status AS status_value,
       t.companyID AS company_id, c.companyName AS company,
       t.assignedResourceID AS resource_id,
       NULLIF(TRIM(COALESCE(r.firstName, '') || ' ' || COALESCE(r.lastName, '')), '') AS resource_name,
       (SELECT MAX(sc.startDateTime) FROM service_call_tickets sct JOIN service_calls sc ON sc.id = sct.serviceCallID
         WHERE sct.ticketID = t.id) AS last_call_ms
FROM tickets t
LEFT JOIN companies c ON c.id = t.companyID
LEFT JOIN resources r ON r.id = t.assignedResourceID
WHERE t.status IN (SELECT value FROM json_each(:scheduledStatusValues))
  AND t.status NOT IN (SELECT value FROM json_each(:completeStatusValues))
  AND NOT EXISTS (
    SELECT 1 FROM service_call_tickets sct JOIN service_calls sc ON sc.id = sct.serviceCallID
    WHERE sct.ticketID = t.id
      AND sc.startDateTime > :asOf
      AND COALESCE(sc.isComplete, 0) = 0
      AND sc.canceledDateTime IS NULL
  )
ORDER BY last_call_ms IS NOT NULL, last_call_ms, t.id

-- Reactive-workflow tickets whose resolution R (resolvedDateTime, else completedDate) lies in the window
-- (kpi-spec §5 profitability/mttr). Each half of the OR can use an index or a short scan.
SELECT t.id AS ticket_id, w.workflow, t.createDate AS created_ms,
       COALESCE(t.resolvedDateTime, t.completedDate) AS resolved_ms
FROM tickets t
JOIN ticket_wf w ON w.ticket_id = t.id AND w.reactive = 1
WHERE t.createDate IS NOT NULL
  AND ((t.resolvedDateTime >= :from AND t.resolvedDateTime < :to)
    OR (t.resolvedDateTime IS NULL AND t.completedDate >= :from AND t.completedDate < :to))
ORDER BY t.id

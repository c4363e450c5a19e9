-- Open company to-dos (completedDate empty) per assigned resource (kpi-spec §8, sales/todos).
SELECT t.assignedToResourceID AS resource_id, r.firstName AS first_name, r.lastName AS last_name,
       COUNT(*) AS open,
       SUM(CASE WHEN t.startDateTime < :asOf THEN 1 ELSE 0 END) AS overdue,
       MIN(CASE WHEN t.startDateTime >= :asOf THEN t.startDateTime END) AS next_due_ms,
       SUM(CASE WHEN t.startDateTime IS NULL THEN 1 ELSE 0 END) AS without_start
FROM company_todos t
LEFT JOIN resources r ON r.id = t.assignedToResourceID
WHERE t.completedDate IS NULL
GROUP BY t.assignedToResourceID

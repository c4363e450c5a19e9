-- Open project tasks (status label not in completeTaskStatuses; a status without a known label is open).
-- Hours worked are summed only for tasks without remainingHours, through the time_entries(taskID) index.
SELECT ta.id, ta.title, ta.projectID AS project_id, p.projectName AS project,
       ta.startDateTime AS start_ms, ta.endDateTime AS end_ms,
       ta.remainingHours AS remaining_hours, ta.estimatedHours AS estimated_hours,
       CASE WHEN ta.remainingHours IS NULL
            THEN (SELECT SUM(te.hoursWorked) FROM time_entries te WHERE te.taskID = ta.id) END AS worked
FROM tasks ta
LEFT JOIN projects p ON p.id = ta.projectID
WHERE COALESCE(ta.status IN (SELECT value FROM json_each(:completeTaskStatusValues)), 0) = 0
ORDER BY ta.id

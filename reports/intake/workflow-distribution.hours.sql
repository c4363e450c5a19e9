-- Hours of time entries whose work instant is in the window, by the workflow of their ticket, whatever the
-- ticket's create date. Two index-friendly halves: entries with a start time, and date-only entries
-- (00:00 of dateWorked in the zone lies in the window exactly when fromDay <= dateWorked < toDay).
SELECT w.workflow, SUM(te.hoursWorked) AS hours
FROM (
  SELECT ticketID, hoursWorked FROM time_entries
  WHERE startDateTime >= :from AND startDateTime < :to AND ticketID IS NOT NULL
  UNION ALL
  SELECT ticketID, hoursWorked FROM time_entries
  WHERE startDateTime IS NULL AND dateWorked >= :fromDay AND dateWorked < :toDay AND ticketID IS NOT NULL
) te
JOIN ticket_wf w ON w.ticket_id = te.ticketID
GROUP BY w.workflow

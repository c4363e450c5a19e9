-- Hours worked on tickets without a project, entries whose work instant lies in [:baseFrom, :baseTo)
-- (both are midnights in the zone, so date-only entries are those with :baseFromDay <= dateWorked < :baseToDay).
-- Tickets are read through the narrow covering index tickets_id_company (migration 11): by id, SQLite would
-- otherwise read each whole ticket row.
SELECT COALESCE(SUM(te.hoursWorked), 0) AS hours
FROM (
  SELECT ticketID, hoursWorked FROM time_entries
  WHERE startDateTime >= :baseFrom AND startDateTime < :baseTo AND ticketID IS NOT NULL
  UNION ALL
  SELECT ticketID, hoursWorked FROM time_entries
  WHERE startDateTime IS NULL AND dateWorked >= :baseFromDay AND dateWorked < :baseToDay AND ticketID IS NOT NULL
) te
JOIN tickets t INDEXED BY tickets_id_company ON t.id = te.ticketID
WHERE t.projectID IS NULL

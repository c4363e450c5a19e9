-- Time entries created in the window, with their lag in minutes (createDateTime − endDateTime; NULL without an
-- end time) (kpi-spec §6 tech-performance/real-time-time-entry).
SELECT te.resourceID AS resource_id,
       CASE WHEN te.endDateTime IS NULL THEN NULL ELSE (te.createDateTime - te.endDateTime) / 60000.0 END AS lag_minutes
FROM time_entries te
WHERE te.createDateTime >= :from AND te.createDateTime < :to

-- Appointments starting in the window [T, T + 7 d) (kpi-spec §8, sales/appointments).
SELECT a.id AS appointment_id, a.startDateTime AS start_ms, a.resourceID AS resource_id,
       r.firstName AS first_name, r.lastName AS last_name, a.title
FROM appointments a
LEFT JOIN resources r ON r.id = a.resourceID
WHERE a.startDateTime >= :from AND a.startDateTime < :to
ORDER BY a.startDateTime, a.id

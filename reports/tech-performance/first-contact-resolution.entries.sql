-- Create date and number of time entries ever logged on each of the given tickets (:ids, a JSON array);
-- index lookups only.
SELECT j.value AS ticket_id, t.createDate AS created_ms,
       (SELECT COUNT(*) FROM time_entries te WHERE te.ticketID = j.value) AS entries
FROM json_each(:ids) j
LEFT JOIN tickets t ON t.id = j.value

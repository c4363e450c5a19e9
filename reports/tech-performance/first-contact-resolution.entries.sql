-- Create date and number of time entries ever logged on each of the given tickets (:ids, a JSON array);
-- index lookups only: create dates from the narrow covering index tickets_id_company (createDate added in
-- migration 26; by id, SQLite would read each whole ticket row).
SELECT j.value AS ticket_id, t.createDate AS created_ms,
       (SELECT COUNT(*) FROM time_entries te WHERE te.ticketID = j.value) AS entries
FROM json_each(:ids) j
LEFT JOIN tickets t INDEXED BY tickets_id_company ON t.id = j.value

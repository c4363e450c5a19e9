-- Names of the resources of the unapproved entries (:ids, a JSON array), read once each rather than on
-- every entry.
SELECT r.id, r.firstName AS first_name, r.lastName AS last_name FROM resources r WHERE r.id IN (SELECT value FROM json_each(:ids))

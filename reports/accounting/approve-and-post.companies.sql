-- Names of the companies of the unapproved entries (:ids, a JSON array), read once each rather than on
-- every entry.
SELECT c.id, c.companyName AS company_name FROM companies c WHERE c.id IN (SELECT value FROM json_each(:ids))

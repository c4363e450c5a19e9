-- Names of the companies in the rows (:ids, a JSON array) and internal costs of resources (:resources).
SELECT 'company' AS kind, co.id, co.companyName AS name, NULL AS internal_cost FROM companies co WHERE co.id IN (SELECT value FROM json_each(:ids))
UNION ALL
SELECT 'resource', r.id, NULL, r.internalCost FROM resources r WHERE r.id IN (SELECT value FROM json_each(:resources))

-- Active contracts ending within 120 days from today (kpi-spec §7, accounting/contract-renewals), with
-- whether the company has an open (Active) opportunity. Dates are calendar dates in the zone. The
-- opportunity test is a non-correlated IN, evaluated once rather than once per contract. The account manager is
-- the company's owner resource (Autotask's "Account Manager"; contracts have none of their own).
SELECT c.id AS contract_id, c.contractName AS contract, c.companyID AS company_id, co.companyName AS company_name,
       c.endDate AS end_date, c.estimatedRevenue AS estimated_revenue,
       co.ownerResourceID AS manager_id, r.firstName AS manager_first, r.lastName AS manager_last,
       c.companyID IN (SELECT o.companyID FROM opportunities o
                       WHERE o.companyID IS NOT NULL AND pl('Opportunities', 'status', o.status) = 'active') AS has_open_opportunity
FROM contracts c
LEFT JOIN companies co ON co.id = c.companyID
LEFT JOIN resources r ON r.id = co.ownerResourceID
WHERE pl('Contracts', 'status', c.status) = 'active'
  AND c.endDate >= :today
  AND c.endDate <= date(:today, '+120 days')
ORDER BY c.endDate, c.id

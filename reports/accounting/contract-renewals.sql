-- Active contracts ending within 120 days from today (kpi-spec §7, accounting/contract-renewals), with
-- whether the company has an open (Active) opportunity. Dates are calendar dates in the zone. The
-- opportunity test is a non-correlated IN, evaluated once rather than once per contract.
SELECT c.id AS contract_id, c.contractName AS contract, c.companyID AS company_id, co.companyName AS company_name,
       c.endDate AS end_date, c.estimatedRevenue AS estimated_revenue,
       c.companyID IN (SELECT o.companyID FROM opportunities o
                       WHERE o.companyID IS NOT NULL AND pl('Opportunities', 'status', o.status) = 'active') AS has_open_opportunity
FROM contracts c
LEFT JOIN companies co ON co.id = c.companyID
WHERE pl('Contracts', 'status', c.status) = 'active'
  AND c.endDate >= :today
  AND c.endDate <= date(:today, '+120 days')
ORDER BY c.endDate, c.id

-- Contracts still marked Active whose end date has passed (kpi-spec §7, accounting/expired-contracts).
-- endDate is a calendar date; "< today" compares it with the date of T in the zone.
SELECT c.id AS contract_id, c.contractName AS contract, c.companyID AS company_id, co.companyName AS company_name,
       c.endDate AS end_date, c.renewedContractID AS renewed_contract_id, c.estimatedRevenue AS estimated_revenue,
       co.ownerResourceID AS manager_id, r.firstName AS manager_first, r.lastName AS manager_last
FROM contracts c
LEFT JOIN companies co ON co.id = c.companyID
LEFT JOIN resources r ON r.id = co.ownerResourceID
WHERE pl('Contracts', 'status', c.status) = 'active'
  AND c.endDate IS NOT NULL
  AND c.endDate < :today
ORDER BY c.endDate, c.id

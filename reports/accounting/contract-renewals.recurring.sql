-- Recurring billing of the contracts up for renewal (the selection of contract-renewals.sql): their items of
-- the Autotask system types Recurring Contract Service and its Adjustment, dated before the as-of time. The
-- report keeps the month (in the zone) of each contract's latest such item: what the contract bills per period
-- as last billed. Read by contract through billing_items_contract, which covers what is read here (migration
-- 26); the contracts are few.
SELECT b.contractID AS contract_id, b.itemDate AS item_at, b.extendedPrice AS amount,
       pl('BillingItems', 'billingItemType', b.billingItemType) = 'recurring contract service' AS is_service
FROM billing_items b
WHERE b.contractID IN (SELECT c.id FROM contracts c
                       WHERE pl('Contracts', 'status', c.status) = 'active'
                         AND c.endDate >= :today
                         AND c.endDate <= date(:today, '+120 days'))
  AND pl('BillingItems', 'billingItemType', b.billingItemType) IN ('recurring contract service', 'recurring contract service adjustment')
  AND b.itemDate < :asOf

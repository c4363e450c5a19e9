-- Recurring billing of the expired contracts still active (the selection of expired-contracts.sql): see
-- contract-renewals.recurring.sql. A recurring amount here means the contract may still be billing.
SELECT b.contractID AS contract_id, b.itemDate AS item_at, b.extendedPrice AS amount,
       pl('BillingItems', 'billingItemType', b.billingItemType) = 'recurring contract service' AS is_service
FROM billing_items b
WHERE b.contractID IN (SELECT c.id FROM contracts c
                       WHERE pl('Contracts', 'status', c.status) = 'active'
                         AND c.endDate IS NOT NULL
                         AND c.endDate < :today)
  AND pl('BillingItems', 'billingItemType', b.billingItemType) IN ('recurring contract service', 'recurring contract service adjustment')
  AND b.itemDate < :asOf

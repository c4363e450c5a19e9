-- A past period of the trend keeps only the metrics: the same sums as contract-profitability.sql over every
-- contract at once, in one row, without a group per contract or the contracts' and companies' names (about
-- half the time at the large scale).
SELECT NULL AS contract_id, NULL AS contract, NULL AS company_id, NULL AS company_name,
       COALESCE(i.revenue, 0) AS revenue, COALESCE(i.item_cost, 0) AS item_cost,
       COALESCE(l.labor_cost, 0) AS labor_cost, COALESCE(l.hours_without_cost, 0) AS hours_without_cost
FROM (
  SELECT SUM(COALESCE(b.extendedPrice, 0)) AS revenue,
         SUM(CASE WHEN b.billingItemType IN (SELECT value FROM json_each(:laborItemTypeValues))
                  THEN 0 ELSE COALESCE(b.ourCost, 0) END) AS item_cost
  FROM billing_items b
  WHERE b.contractID IS NOT NULL AND b.itemDate >= :from AND b.itemDate < :to
) i, (
  SELECT SUM(COALESCE(we.hoursWorked, 0) * COALESCE(r.internalCost, 0)) AS labor_cost,
         SUM(CASE WHEN r.internalCost IS NULL THEN COALESCE(we.hoursWorked, 0) ELSE 0 END) AS hours_without_cost
  FROM (SELECT te.resourceID, te.hoursWorked FROM time_entries te
        WHERE te.contractID IS NOT NULL AND te.startDateTime >= :from AND te.startDateTime < :to
        UNION ALL
        SELECT te.resourceID, te.hoursWorked FROM time_entries te
        WHERE te.contractID IS NOT NULL AND te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay) we
  LEFT JOIN resources r ON r.id = we.resourceID
) l

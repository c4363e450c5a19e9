-- Service revenue of the window in one sum (labor-profitability.revenue.sql without the companies): a past
-- period of a trend keeps only its metrics, and the sum without a GROUP BY reads the same index range without
-- building a group per company (about a third of the time at the large scale).
SELECT NULL AS company_id, COALESCE(SUM(b.extendedPrice), 0) AS revenue
FROM billing_items b
WHERE b.itemDate >= :from AND b.itemDate < :to
  AND b.billingItemType IN (SELECT value FROM json_each(:serviceRevenueItemTypeValues))

-- Service revenue by company: billing items dated in the window whose type label is a service-revenue type
-- (kpi-spec §5 profitability/labor-profitability), matched through the picklist values of those labels (no
-- per-row label lookup), read from the covering index billing_items_date.
SELECT b.companyID AS company_id, SUM(COALESCE(b.extendedPrice, 0)) AS revenue
FROM billing_items b
WHERE b.itemDate >= :from AND b.itemDate < :to
  AND b.billingItemType IN (SELECT value FROM json_each(:serviceRevenueItemTypeValues))
GROUP BY b.companyID

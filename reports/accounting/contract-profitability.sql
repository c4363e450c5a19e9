-- Revenue and cost per contract in the window (kpi-spec §7, accounting/contract-profitability).
-- Labor and Labor Adjustment items carry the cost of the labour already counted from time entries, so
-- their ourCost is left out (matched through the picklist values of those labels, no per-row lookup).
-- A time entry is in the window by its work instant: startDateTime, else dateWorked (a date whose 00:00
-- is in [from, to) ⇔ :fromDay ≤ date < :toDay); both are ranges of the covering index time_entries_work
-- (migration 6 added contractID to it), read one after the other (UNION ALL: as an OR, SQLite would gather
-- and deduplicate their rowids first; the sums add the entries in the same order either way), and the items
-- of the window are read from the covering index billing_items_date: neither table is read.
WITH items AS (
  SELECT b.contractID AS contract_id,
         SUM(COALESCE(b.extendedPrice, 0)) AS revenue,
         SUM(CASE WHEN b.billingItemType IN (SELECT value FROM json_each(:laborItemTypeValues))
                  THEN 0 ELSE COALESCE(b.ourCost, 0) END) AS item_cost
  FROM billing_items b
  WHERE b.contractID IS NOT NULL AND b.itemDate >= :from AND b.itemDate < :to
  GROUP BY b.contractID
),
labour AS (
  SELECT we.contractID AS contract_id,
         SUM(COALESCE(we.hoursWorked, 0) * COALESCE(r.internalCost, 0)) AS labor_cost,
         SUM(CASE WHEN r.internalCost IS NULL THEN COALESCE(we.hoursWorked, 0) ELSE 0 END) AS hours_without_cost
  FROM (SELECT te.contractID, te.resourceID, te.hoursWorked FROM time_entries te
        WHERE te.contractID IS NOT NULL AND te.startDateTime >= :from AND te.startDateTime < :to
        UNION ALL
        SELECT te.contractID, te.resourceID, te.hoursWorked FROM time_entries te
        WHERE te.contractID IS NOT NULL AND te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay) we
  LEFT JOIN resources r ON r.id = we.resourceID
  GROUP BY we.contractID
),
ids AS (SELECT contract_id FROM items UNION SELECT contract_id FROM labour)
SELECT ids.contract_id, c.contractName AS contract, c.companyID AS company_id, co.companyName AS company_name,
       COALESCE(i.revenue, 0) AS revenue, COALESCE(i.item_cost, 0) AS item_cost,
       COALESCE(l.labor_cost, 0) AS labor_cost, COALESCE(l.hours_without_cost, 0) AS hours_without_cost
FROM ids
LEFT JOIN items i ON i.contract_id = ids.contract_id
LEFT JOIN labour l ON l.contract_id = ids.contract_id
LEFT JOIN contracts c ON c.id = ids.contract_id
LEFT JOIN companies co ON co.id = c.companyID

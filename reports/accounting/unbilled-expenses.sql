-- Billable expenses approved but never billed (kpi-spec §7, accounting/unbilled-expenses): expense items billable
-- to the company, dated before T, on a report whose status label is Approved for Payment, Paid or Transferred to
-- QuickBooks, with no billing item made from them; summed per company.
SELECT i.companyID AS company_id, c.companyName AS company_name, COUNT(*) AS items,
       SUM(COALESCE(i.internalCurrencyExpenseAmount, 0)) AS amount, MIN(i.expenseDate) AS oldest_ms
FROM expense_items i
JOIN expense_reports e ON e.id = i.expenseReportID
LEFT JOIN companies c ON c.id = i.companyID
WHERE i.isBillableToCompany = 1
  AND i.expenseDate < :asOf
  AND pl('ExpenseReports', 'status', e.status) IN ('approved for payment', 'paid', 'transferred to quickbooks')
  AND NOT EXISTS (SELECT 1 FROM billing_items b WHERE b.expenseItemID = i.id)
GROUP BY i.companyID

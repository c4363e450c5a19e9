-- Expense reports by status (kpi-spec §7, accounting/expense-approvals): those awaiting approval (the rows) and
-- those approved for payment (approved_unpaid_amount). Status labels are matched trimmed, case-insensitive.
SELECT e.id AS expense_report_id, e.name, e.submitterID AS submitter_id, r.firstName AS submitter_first,
       r.lastName AS submitter_last, e.submitDate AS submit_ms, e.internalCurrencyExpenseTotal AS total,
       pl('ExpenseReports', 'status', e.status) AS status
FROM expense_reports e
LEFT JOIN resources r ON r.id = e.submitterID
WHERE pl('ExpenseReports', 'status', e.status) IN ('awaiting approval', 'approved for payment')

-- Billable time worked in the window that is not yet approved and posted (no billing approval, no billing
-- item): its revenue is not in the billing items yet, so the window's service revenue is understated.
-- A data-quality note only; no metric reads it.
-- Read from the partial index of unapproved entries (time_entries_unapproved, which covers every column
-- used here): a few thousand rows, where the window's range of time_entries_start read each entry's row.
SELECT COUNT(*) AS entries, COALESCE(SUM(te.hoursToBill), 0) AS hours
FROM time_entries te INDEXED BY time_entries_unapproved
WHERE te.billingApprovalDateTime IS NULL
  AND COALESCE(te.isNonBillable, 0) = 0
  AND te.hoursToBill > 0
  AND ((te.startDateTime >= :from AND te.startDateTime < :to) OR (te.startDateTime IS NULL AND te.dateWorked >= :fromDay AND te.dateWorked < :toDay))
  AND NOT EXISTS (SELECT 1 FROM billing_items b WHERE b.timeEntryID = te.id)

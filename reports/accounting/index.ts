import type { ReportDefinition } from '../../src/reporting/define.js';
import approveAndPost from './approve-and-post.js';
import commissions from './commissions.js';
import contractProfitability from './contract-profitability.js';
import contractRenewals from './contract-renewals.js';
import expenseApprovals from './expense-approvals.js';
import expiredContracts from './expired-contracts.js';
import unbilledExpenses from './unbilled-expenses.js';

/** Reports of the accounting group, keyed by id (`accounting/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {
  'accounting/approve-and-post': approveAndPost,
  'accounting/expired-contracts': expiredContracts,
  'accounting/contract-renewals': contractRenewals,
  'accounting/contract-profitability': contractProfitability,
  'accounting/commissions': commissions,
  'accounting/expense-approvals': expenseApprovals,
  'accounting/unbilled-expenses': unbilledExpenses,
};

import type { ReportDefinition } from '../../src/reporting/define.js';
import laborProfitability from './labor-profitability.js';
import mttr from './mttr.js';
import resourceUtilization from './resource-utilization.js';
import rhem from './rhem.js';

/** Reports of the profitability group, keyed by id (`profitability/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {
  'profitability/labor-profitability': laborProfitability,
  'profitability/mttr': mttr,
  'profitability/resource-utilization': resourceUtilization,
  'profitability/rhem': rhem,
};

import { reports as accounting } from './accounting/index.js';
import { reports as intake } from './intake/index.js';
import { reports as profitability } from './profitability/index.js';
import { reports as sales } from './sales/index.js';
import { reports as techPerformance } from './tech-performance/index.js';

/**
 * The report registry: id → definition. Node 20 cannot import `.ts` at run time, so reports are compiled
 * with the program and listed here; test/reporting/registry.test.ts checks this map matches the folder.
 */
export const REPORTS = { ...intake, ...profitability, ...techPerformance, ...accounting, ...sales };

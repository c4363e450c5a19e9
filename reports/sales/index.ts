import type { ReportDefinition } from '../../src/reporting/define.js';

/** Reports of the sales group, keyed by id (`sales/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {};

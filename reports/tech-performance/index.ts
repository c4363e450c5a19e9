import type { ReportDefinition } from '../../src/reporting/define.js';

/** Reports of the tech-performance group, keyed by id (`tech-performance/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {};

import type { ReportDefinition } from '../../src/reporting/define.js';
import escalationRate from './escalation-rate.js';
import firstContactResolution from './first-contact-resolution.js';
import realTimeTimeEntry from './real-time-time-entry.js';
import reopenRate from './reopen-rate.js';

/** Reports of the tech-performance group, keyed by id (`tech-performance/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {
  'tech-performance/escalation-rate': escalationRate,
  'tech-performance/first-contact-resolution': firstContactResolution,
  'tech-performance/real-time-time-entry': realTimeTimeEntry,
  'tech-performance/reopen-rate': reopenRate,
};

import type { ReportDefinition } from '../../src/reporting/define.js';
import accountActivity from './account-activity.js';
import appointments from './appointments.js';
import closedLastWeek from './closed-last-week.js';
import pipeline from './pipeline.js';
import readyToClose from './ready-to-close.js';
import stuckInStage from './stuck-in-stage.js';
import todos from './todos.js';

import wonHandoff from './won-handoff.js';
/** Reports of the sales group, keyed by id (`sales/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {
  'sales/pipeline': pipeline,
  'sales/ready-to-close': readyToClose,
  'sales/stuck-in-stage': stuckInStage,
  'sales/closed-last-week': closedLastWeek,
  'sales/account-activity': accountActivity,
  'sales/todos': todos,
  'sales/appointments': appointments,
  'sales/won-handoff': wonHandoff,
};

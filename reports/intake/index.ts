import type { ReportDefinition } from '../../src/reporting/define.js';
import backlog from './backlog.js';
import needsIntervention from './needs-intervention.js';
import onHoldPastDue from './on-hold-past-due.js';
import projectAvailabilityForecast from './project-availability-forecast.js';
import scheduledNoFutureCall from './scheduled-no-future-call.js';
import serviceDeliveryForecast from './service-delivery-forecast.js';
import slaPerformance from './sla-performance.js';
import workflowDistribution from './workflow-distribution.js';

/** Reports of the intake group, keyed by id (`intake/<file name>`). Keep in step with the folder (test/reporting/registry.test.ts). */
export const reports: Record<string, ReportDefinition> = {
  'intake/workflow-distribution': workflowDistribution,
  'intake/sla-performance': slaPerformance,
  'intake/service-delivery-forecast': serviceDeliveryForecast,
  'intake/project-availability-forecast': projectAvailabilityForecast,
  'intake/backlog': backlog,
  'intake/scheduled-no-future-call': scheduledNoFutureCall,
  'intake/on-hold-past-due': onHoldPastDue,
  'intake/needs-intervention': needsIntervention,
};

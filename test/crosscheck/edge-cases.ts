import type { Tenant } from '../../src/simulator/index.js';
import { all } from './spec-impl.js';

/**
 * Records that sit on the edges kpi-spec names, added to the simulator's tenant before the last sync so
 * both the report (through the sync) and the checker (from the tenant) see them. Instants are chosen
 * against the windows of as-of 2026-11-26T12:00Z in UTC and New York (EDT until 2026-11-01 06:00Z):
 * previous-month [Oct 1, Nov 1) starts 00:00Z / 04:00Z, previous-week [Nov 16, Nov 23) starts 00:00Z / 05:00Z.
 */
export function injectEdgeCases(t: Tenant): () => void {
  const Z = (s: string) => Date.parse(s);
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
  const v = (entity: string, field: string, label: string) => t.value(entity, field, label);
  const customer = all(t, 'Companies').find((c) => c.id !== 0 && c.isActive === true)!.id as number;
  const tech = all(t, 'Resources').find((r) => r.isActive === true && typeof r.internalCost === 'number')!.id as number;
  const st = (l: string) => v('Tickets', 'status', l);
  const ticket = (over: Record<string, unknown>) => t.insert('Tickets', {
    ticketNumber: `T-EDGE-${t.nextId('Tickets')}`, title: 'edge case', companyID: customer, status: st('New'),
    priority: v('Tickets', 'priority', 'High'), queueID: v('Tickets', 'queueID', 'Tier 1'), ticketType: v('Tickets', 'ticketType', 'Incident'),
    issueType: v('Tickets', 'issueType', 'Software'), ticketCategory: v('Tickets', 'ticketCategory', 'Standard'), source: v('Tickets', 'source', 'Phone'),
    serviceLevelAgreementID: 1, assignedResourceID: tech, createDate: Z('2026-11-10T15:00:00Z'), ...over,
  });
  const entry = (over: Record<string, unknown>) => t.insert('TimeEntries', { resourceID: tech, roleID: 29683400, isNonBillable: false, ...over });

  // New resources: one whose only entry is just before T − 56 days of 24 h (inside it when the 56 days are
  // counted as calendar days in New York), one exactly at T − 56 d, one inactive with recent work.
  const res = (over: Record<string, unknown>) => t.insert('Resources', { firstName: 'Edge', lastName: `R${t.nextId('Resources')}`, isActive: true, internalCost: 40, resourceType: 1, ...over });
  const rBefore = res({});
  const rAt = res({ internalCost: null });
  const rGone = res({ isActive: false });
  const rFree = res({ internalCost: 0 });
  t.insert('ResourceDailyAvailabilities', { resourceID: rAt, mondayAvailableHours: 6, tuesdayAvailableHours: 6, wednesdayAvailableHours: 6, thursdayAvailableHours: 6, fridayAvailableHours: 6, saturdayAvailableHours: 4, sundayAvailableHours: 0, weeklyBillableHoursGoal: null });
  // A holiday of the second (unused) set, on a weekday of the previous week: the spec counts every synced holiday.
  t.insert('Holidays', { holidaySetID: 2, holidayName: 'Edge Day', holidayDate: day('2026-11-18') });

  // Workflow distribution and MTTR: create/resolution exactly on window edges of one zone or the other.
  const t1 = ticket({ createDate: Z('2026-10-01T00:00:00Z'), status: st('Complete'), completedDate: Z('2026-11-01T00:00:00Z'), resolvedDateTime: Z('2026-11-01T00:00:00Z'), completedByResourceID: tech });
  ticket({ createDate: Z('2026-11-01T04:00:00Z'), priority: v('Tickets', 'priority', 'Critical') });
  ticket({ createDate: Z('2026-10-15T10:00:00Z'), priority: v('Tickets', 'priority', 'Critical'), status: st('Complete'), completedDate: Z('2026-10-20T15:00:00Z'), completedByResourceID: tech });
  // Inactive picklist values: priority Planning matches no rule (Unclassified), status Waiting Approval is open.
  const t3 = ticket({ createDate: Z('2026-11-17T12:00:00Z'), priority: v('Tickets', 'priority', 'Planning'), status: st('Waiting Approval'), estimatedHours: 5 });
  // SLA edges: actual = due (met), actual at the week's end (out), no due (not measured), due exactly at T.
  const t4 = ticket({
    createDate: Z('2026-11-16T01:00:00Z'), firstResponseDateTime: Z('2026-11-18T10:00:00Z'), firstResponseDueDateTime: Z('2026-11-18T10:00:00Z'),
    resolutionPlanDateTime: Z('2026-11-23T00:00:00Z'), resolutionPlanDueDateTime: Z('2026-11-22T00:00:00Z'),
    resolvedDateTime: Z('2026-11-16T05:00:00Z'), resolvedDueDateTime: null, status: st('Complete'), completedDate: Z('2026-11-16T05:00:00Z'), completedByResourceID: tech,
  });
  ticket({ createDate: Z('2026-11-20T09:00:00Z'), firstResponseDueDateTime: Z('2026-11-26T12:00:00Z'), resolvedDueDateTime: Z('2026-11-26T11:59:59.999Z'), estimatedHours: 0 });
  ticket({ createDate: Z('2026-11-20T09:00:00Z'), serviceLevelAgreementID: 3, firstResponseDueDateTime: Z('2026-11-21T12:00:00Z') });
  // On hold with a label that carries a trailing space; due exactly at T (not past due) and just before.
  ticket({ status: st('Waiting Vendor '), dueDateTime: Z('2026-11-26T12:00:00Z') });
  ticket({ status: st('On Hold'), dueDateTime: Z('2026-11-26T11:00:00Z') });
  // Scheduled/dispatched: a call starting exactly at T (not a future call), a cancelled and a completed future call.
  const call = (ticketID: number, over: Record<string, unknown>) => {
    const id = t.insert('ServiceCalls', { companyID: customer, description: 'edge visit', startDateTime: Z('2026-11-27T14:00:00Z'), endDateTime: Z('2026-11-27T15:00:00Z'), isComplete: false, canceledDateTime: null, ...over });
    t.insert('ServiceCallTickets', { serviceCallID: id, ticketID });
    return id;
  };
  const t7 = ticket({ status: st('dispatched') });
  call(t7, { startDateTime: Z('2026-11-26T12:00:00Z'), endDateTime: Z('2026-11-26T13:00:00Z') });
  const t8 = ticket({ status: st('Scheduled') });
  call(t8, { canceledDateTime: Z('2026-11-20T10:00:00Z') });
  call(t8, { isComplete: true });
  const t8b = ticket({ status: st('Scheduled') });
  call(t8b, {});
  // A future visit that is synced, then deleted in Autotask (service calls have no deletion log): the ticket
  // has no future call any more.
  const t8c = ticket({ status: st('Scheduled') });
  const doomed = call(t8c, { startDateTime: Z('2026-12-03T14:00:00Z'), endDateTime: Z('2026-12-03T15:00:00Z') });

  // Internal company work (not client work), a ticket with more logged than estimated.
  const tInternal = ticket({ companyID: 0, createDate: Z('2026-11-12T10:00:00Z') });
  entry({ ticketID: tInternal, startDateTime: Z('2026-11-17T14:00:00Z'), endDateTime: Z('2026-11-17T16:00:00Z') });
  entry({ ticketID: t3, startDateTime: Z('2026-11-18T14:00:00Z'), endDateTime: Z('2026-11-18T21:00:00Z') });
  // Entries by date only, and entries on the zone-dependent window edges.
  entry({ ticketID: t1, dateWorked: day('2026-10-01'), hoursWorked: 2.5 });
  entry({ ticketID: t1, dateWorked: day('2026-11-01'), hoursWorked: 1.25 });
  entry({ ticketID: t1, startDateTime: Z('2026-11-01T03:00:00Z'), endDateTime: Z('2026-11-01T03:30:00Z') });
  entry({ ticketID: t1, startDateTime: Z('2026-10-01T02:00:00Z'), endDateTime: Z('2026-10-01T03:00:00Z') });
  entry({ ticketID: t4, startDateTime: Z('2026-11-23T02:00:00Z'), endDateTime: Z('2026-11-23T04:00:00Z'), isNonBillable: true });
  entry({ ticketID: t4, startDateTime: Z('2026-11-16T03:00:00Z'), endDateTime: Z('2026-11-16T04:30:00Z') });
  entry({ ticketID: t4, dateWorked: day('2026-11-16'), hoursWorked: 0.75 });
  // Regular time: labour cost, not client work.
  entry({ timeEntryType: v('TimeEntries', 'timeEntryType', 'Regular Time'), startDateTime: Z('2026-10-12T13:00:00Z'), endDateTime: Z('2026-10-12T14:00:00Z') });
  entry({ timeEntryType: v('TimeEntries', 'timeEntryType', 'Regular Time'), startDateTime: Z('2026-11-17T13:00:00Z'), endDateTime: Z('2026-11-17T14:00:00Z') });
  entry({ resourceID: rBefore, ticketID: t4, startDateTime: Z('2026-10-01T11:30:00Z'), endDateTime: Z('2026-10-01T11:45:00Z') });
  entry({ resourceID: rAt, ticketID: t4, startDateTime: Z('2026-10-01T12:00:00Z'), endDateTime: Z('2026-10-01T13:00:00Z') });
  entry({ resourceID: rAt, ticketID: t4, startDateTime: Z('2026-11-21T13:00:00Z'), endDateTime: Z('2026-11-21T17:00:00Z') });
  entry({ resourceID: rFree, ticketID: t1, startDateTime: Z('2026-10-14T13:00:00Z'), endDateTime: Z('2026-10-14T15:30:00Z') });
  entry({ resourceID: rGone, ticketID: t4, startDateTime: Z('2026-11-18T13:00:00Z'), endDateTime: Z('2026-11-18T17:00:00Z') });

  // Project tasks for the availability forecast (W0 = Mon 2026-11-23 at T).
  const proj = t.insert('Projects', { projectName: 'Edge project', companyID: 0, status: v('Projects', 'status', 'In Progress'), startDateTime: Z('2026-10-01T00:00:00Z'), endDateTime: Z('2027-02-01T00:00:00Z') });
  const task = (over: Record<string, unknown>) => t.insert('Tasks', { projectID: proj, title: 'edge task', status: v('Tasks', 'status', 'In Progress'), assignedResourceID: tech, ...over });
  task({ remainingHours: 10 });
  task({ estimatedHours: 12, endDateTime: Z('2026-12-10T17:00:00Z') });
  task({ estimatedHours: 6, startDateTime: Z('2026-12-01T09:00:00Z') });
  const overdue = task({ estimatedHours: 8, startDateTime: Z('2026-11-01T09:00:00Z'), endDateTime: Z('2026-11-20T17:00:00Z') });
  entry({ taskID: overdue, startDateTime: Z('2026-11-10T13:00:00Z'), endDateTime: Z('2026-11-10T16:00:00Z') });
  task({ remainingHours: 30, startDateTime: Z('2026-12-01T09:00:00Z'), endDateTime: Z('2027-01-31T17:00:00Z') });
  task({ remainingHours: 9, startDateTime: Z('2026-11-01T09:00:00Z'), endDateTime: Z('2026-12-02T17:00:00Z') });
  task({ remainingHours: -3, estimatedHours: 10, startDateTime: Z('2026-11-24T09:00:00Z'), endDateTime: Z('2026-12-25T17:00:00Z') });
  task({ remainingHours: 0, estimatedHours: 10, startDateTime: Z('2026-11-24T09:00:00Z'), endDateTime: Z('2026-11-25T17:00:00Z') });
  task({ remainingHours: 5, status: v('Tasks', 'status', 'Complete'), startDateTime: Z('2026-11-24T09:00:00Z'), endDateTime: Z('2026-11-25T17:00:00Z') });
  task({ remainingHours: 4, status: v('Tasks', 'status', 'Blocked'), endDateTime: Z('2026-11-23T05:00:00Z') });

  // RHEM: a company managed only on the window's last day (in one zone: Oct 31 is E in both zones here).
  const managed = t.insert('Companies', { companyName: 'Edge Managed Co', companyType: 1, isActive: true });
  t.insert('Contracts', { contractName: 'Edge MSA', companyID: managed, status: v('Contracts', 'status', 'Active'), contractType: v('Contracts', 'contractType', 'Recurring Service'), startDate: day('2026-10-31'), endDate: day('2026-10-31') });
  const notYet = t.insert('Companies', { companyName: 'Edge Starts Nov', companyType: 1, isActive: true });
  t.insert('Contracts', { contractName: 'Edge MSA 2', companyID: notYet, status: v('Contracts', 'status', 'Active'), contractType: v('Contracts', 'contractType', 'Recurring Service'), startDate: day('2026-11-01'), endDate: day('2027-10-31') });
  for (const [type, active] of [['Workstation', true], [' Server', true], ['Laptop', false], ['Printer', true]] as const) {
    for (const c of [managed, notYet]) t.insert('ConfigurationItems', { companyID: c, configurationItemType: v('ConfigurationItems', 'configurationItemType', type.trim()), isActive: active, referenceTitle: `edge ${type}` });
  }
  const openEnded = t.insert('Companies', { companyName: 'Edge Open Ended', companyType: 1, isActive: true });
  t.insert('Contracts', { contractName: 'Edge MSA 3', companyID: openEnded, status: v('Contracts', 'status', 'Active'), contractType: v('Contracts', 'contractType', 'Recurring Service'), startDate: day('2025-01-01'), endDate: null });
  t.insert('ConfigurationItems', { companyID: openEnded, configurationItemType: v('ConfigurationItems', 'configurationItemType', 'Laptop'), isActive: true, referenceTitle: 'edge laptop' });
  // Bad data: resolved before created.
  ticket({ createDate: Z('2026-10-22T12:00:00Z'), resolvedDateTime: Z('2026-10-22T11:00:00Z'), status: st('Complete'), completedDate: Z('2026-10-22T11:00:00Z') });
  const tm = ticket({ companyID: managed, createDate: Z('2026-10-20T12:00:00Z'), priority: v('Tickets', 'priority', 'Low') });
  entry({ ticketID: tm, startDateTime: Z('2026-10-21T13:00:00Z'), endDateTime: Z('2026-10-21T16:00:00Z') });
  entry({ ticketID: tm, startDateTime: Z('2026-10-31T23:00:00Z'), endDateTime: Z('2026-11-01T00:30:00Z') });

  // Service revenue on the window edges, and a type that is not service revenue.
  const bi = (over: Record<string, unknown>) => t.insert('BillingItems', { companyID: managed, itemName: 'edge', quantity: 1, rate: 100, extendedPrice: 100, ourCost: 10, ...over });
  bi({ billingItemType: v('BillingItems', 'billingItemType', 'Labor Adjustment'), itemDate: Z('2026-11-01T00:00:00Z'), extendedPrice: 500 });
  bi({ billingItemType: v('BillingItems', 'billingItemType', 'Recurring Contract Service'), itemDate: Z('2026-10-01T00:00:00Z'), extendedPrice: 700 });
  bi({ billingItemType: v('BillingItems', 'billingItemType', 'Product'), itemDate: Z('2026-10-10T00:00:00Z'), extendedPrice: 900 });

  return () => t.remove('ServiceCalls', doomed);
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import def from '../../../reports/sales/stuck-in-stage.js';
import { insert, insertOpportunityStates, makeStore, pv, seedPicklists } from '../../helpers/store.js';
import { runReport } from '../../helpers/report.js';

let store: ReturnType<typeof makeStore>;
beforeEach(() => {
  store = makeStore();
  seedPicklists(store.db);
  insert(store.db, 'Companies', [{ id: 10, companyName: 'Acme' }]);
  insert(store.db, 'Resources', [{ id: 1, firstName: 'Sam', lastName: 'Seller', isActive: true }]);
});
afterEach(() => store.cleanup());

const DAY = 86_400_000;
const T = '2026-11-26T12:00:00Z';
const t = Date.parse(T);
const at = (ms: number) => new Date(ms).toISOString();
const QUAL = pv('Opportunities', 'stage', 'Qualification');
const SE = pv('Opportunities', 'stage', 'Sales Engineering');
const PROP = pv('Opportunities', 'stage', 'Proposal');
const ACTIVE = pv('Opportunities', 'status', 'Active');
const LOST = pv('Opportunities', 'status', 'Lost');
const opp = (id: number, stage: number, status = ACTIVE, e: Record<string, unknown> = {}) => ({
  id, title: `Deal ${id}`, companyID: 10, ownerResourceID: 1, stage, status, amount: 1000, probability: 50,
  createDate: '2026-08-01T00:00:00Z', lastActivity: '2026-11-01T12:00:00Z', ...e,
});

describe('sales/stuck-in-stage', () => {
  it('counts days from the start of the current run of the stage', () => {
    insert(store.db, 'Opportunities', [
      opp(1, SE), opp(2, SE), opp(3, SE, ACTIVE, { createDate: '2026-11-01T12:00:00Z' }), opp(4, SE), opp(5, SE),
      opp(6, SE, ACTIVE, { lastActivity: '2026-11-01T12:00:00Z' }), opp(7, SE, LOST), opp(8, PROP), opp(9, SE),
    ]);
    insertOpportunityStates(store.db, [
      // 1: SE, left, came back 6 days ago → 6 days: not stuck
      { opportunity: 1, at: '2026-10-01T12:00:00Z', stage: QUAL, status: ACTIVE },
      { opportunity: 1, at: '2026-10-20T12:00:00Z', stage: SE, status: ACTIVE },
      { opportunity: 1, at: '2026-10-25T12:00:00Z', stage: QUAL, status: ACTIVE },
      { opportunity: 1, at: '2026-11-20T12:00:00Z', stage: SE, status: ACTIVE },
      // 2: in SE since 1 Oct; status-only changes (marked lost, reopened) do not end the run → 56 days
      { opportunity: 2, at: '2026-10-01T12:00:00Z', stage: SE, status: ACTIVE },
      { opportunity: 2, at: '2026-10-05T12:00:00Z', stage: SE, status: LOST },
      { opportunity: 2, at: '2026-10-08T12:00:00Z', stage: SE, status: ACTIVE },
      // 3: no history: from createDate 1 Nov 12:00 → 25 days
      // 4: entered exactly 14 days before T → 14, not more than 14
      { opportunity: 4, at: at(t - 14 * DAY), stage: SE, status: ACTIVE },
      // 5: entered 14 days and 1 second before T
      { opportunity: 5, at: at(t - 14 * DAY - 1000), stage: SE, status: ACTIVE },
      // 6: latest record shows Qualification: moved after the last record → from lastActivity 1 Nov 12:00, 25 days
      { opportunity: 6, at: '2026-10-01T12:00:00Z', stage: QUAL, status: ACTIVE },
      // 7: lost; 8: other stage — out whatever their history
      { opportunity: 7, at: '2026-09-01T12:00:00Z', stage: SE, status: ACTIVE },
      // 9: SE, Proposal, back to SE on 27 Oct → 30 days (not 86)
      { opportunity: 9, at: '2026-09-01T12:00:00Z', stage: SE, status: ACTIVE },
      { opportunity: 9, at: '2026-09-10T12:00:00Z', stage: PROP, status: ACTIVE },
      { opportunity: 9, at: '2026-10-27T12:00:00Z', stage: SE, status: ACTIVE },
    ]);
    const r = runReport(store.db, 'sales/stuck-in-stage', def, { asOf: T });
    expect(r.rows.map((x) => [x.opportunity_id, x.days_in_stage])).toEqual([
      [2, 56], [9, 30], [3, 25], [6, 25], [5, 14 + 1000 / DAY],
    ]);
    expect(r.metrics).toEqual({ opportunities: 5 });
    expect(r.rows[0]).toEqual({ opportunity_id: 2, title: 'Deal 2', company_id: 10, company: 'Acme', owner_id: 1, owner: 'Sam Seller', days_in_stage: 56 });
    expect(r.warnings).toEqual([
      '1 deal in the stage has no recorded stage history; days in stage are counted from the create date.',
      '1 deal entered the stage after the last recorded history; days in stage are counted from the last activity.',
    ]);
  });

  it('uses settings.salesEngineeringStage (trimmed, any case) and settings.stuckDays', () => {
    insert(store.db, 'Opportunities', [opp(1, PROP, ACTIVE, { createDate: '2026-11-16T12:00:00Z' }), opp(2, SE)]);
    // opp 1 has no history: 10 days from createDate; stuckDays 9 → stuck
    const r = runReport(store.db, 'sales/stuck-in-stage', def, { asOf: T, settings: { salesEngineeringStage: '  PROPOSAL ', stuckDays: 9 } });
    expect(r.rows.map((x) => [x.opportunity_id, x.days_in_stage])).toEqual([[1, 10]]);
  });
});

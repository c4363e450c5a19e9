import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/simulator/index.js';

describe('deleting a service call', () => {
  it('deletes its ticket links with it, as Autotask does (ServiceCallTickets are its children)', () => {
    const t = generateTenant({ seed: 3, scale: 'tiny', now: Date.parse('2026-11-26T12:00:00Z') });
    const ticket = t.table('Tickets').idAt(0);
    const call = t.insert('ServiceCalls', { companyID: 0, description: 'visit', startDateTime: '2026-12-01T14:00:00Z', endDateTime: '2026-12-01T15:00:00Z', isComplete: false });
    const other = t.insert('ServiceCalls', { companyID: 0, description: 'other', startDateTime: '2026-12-02T14:00:00Z', endDateTime: '2026-12-02T15:00:00Z', isComplete: false });
    const link = t.insert('ServiceCallTickets', { serviceCallID: call, ticketID: ticket });
    const kept = t.insert('ServiceCallTickets', { serviceCallID: other, ticketID: ticket });
    t.remove('ServiceCalls', call);
    expect(t.get('ServiceCallTickets', link)).toBeUndefined();
    expect(t.get('ServiceCallTickets', kept)).toBeDefined();
  });
});

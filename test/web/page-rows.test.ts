import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeByName } from '../../src/app.js';
import { moreLine } from '../../src/render/view.js';
import { signIn, webHome, type WebHome } from './helpers.js';

/**
 * A report's page shows the first rows of a long table (the downloads hold every row) and links to the same
 * page, same period, with every row. Here the limit is 3 so the small tenant has longer tables.
 */
let home: WebHome;
beforeAll(async () => { home = await webHome({ pageRows: 3 }); }, 180_000);
afterAll(async () => { await home?.cleanup(); });

/** Rows of the page's Details table. */
function detailRows(html: string): number {
  const table = /<h2>Details[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html);
  return table ? (table[1]!.match(/<tr>/g) ?? []).length : 0;
}

describe('a report page with a long table', () => {
  it('shows the first rows, says how many there are, and links to every row of the same period', async () => {
    const id = 'accounting/contract-profitability';
    const asOf = new Date(home.sim.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const [r] = computeByName(home.db, home.cfg, [id], { asOf: home.sim.now(), trend: false, readOnly: true });
    if (!r!.ok) throw r!.error;
    const s = await signIn(home.base, 'manager@msp.example');

    const html = await (await s.get(`/reports/${id}?as-of=${asOf}`)).text();
    const total = /Details <span class="rowcount">\((\d[\d,]*) rows\)/.exec(html);
    expect(total).not.toBeNull();
    const n = Number(total![1]!.replace(/,/g, ''));
    expect(n).toBeGreaterThan(3);
    expect(detailRows(html)).toBe(3);
    expect(html).toContain(`Showing the first 3 of ${n.toLocaleString('en-US')} rows.`);
    const link = /<a href="([^"]+)">Show all ([\d,]+) rows<\/a>/.exec(html);
    expect(link).not.toBeNull();
    expect(link![2]).toBe(n.toLocaleString('en-US'));
    const href = link![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    expect(href).toBe(`/reports/${id}?as-of=${asOf}&rows=all`);

    const all = await (await s.get(href)).text();
    expect(detailRows(all)).toBe(n);
    expect(all).not.toContain('Showing the first');
    expect(r!.value.rows.length).toBeGreaterThan(3); // the same report today has as long a table
  }, 120_000);

  it('cuts a report\'s further tables at the same limit, saying the spreadsheets hold the rest', async () => {
    const id = 'accounting/approve-and-post';
    const [r] = computeByName(home.db, home.cfg, [id], { asOf: home.sim.now(), trend: false, readOnly: true });
    if (!r!.ok) throw r!.error;
    const long = (r!.value.lists ?? []).filter((l) => l.rows.length > 3);
    expect(long.length).toBeGreaterThan(0);
    const s = await signIn(home.base, 'manager@msp.example');
    const html = await (await s.get(`/reports/${id}`)).text();
    for (const body of html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)) expect((body[1]!.match(/<tr>/g) ?? []).length).toBeLessThanOrEqual(3);
    for (const l of long) expect(html).toContain(moreLine(l.rows.length - 3, l.noun ?? 'rows'));
  }, 120_000);
});

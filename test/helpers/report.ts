import type { z } from 'zod';
import { SettingsSchema } from '../../src/config.js';
import { computeReports } from '../../src/reporting/engine.js';
import type { ReportDefinition } from '../../src/reporting/define.js';
import type { Db } from '../../src/store/db.js';
import type { ReportResult } from '../../src/types.js';

/** Computes one report definition against a fixture store; throws the report's error if it failed. */
export function runReport(db: Db, id: string, def: ReportDefinition, opts: { asOf: string; settings?: Partial<z.input<typeof SettingsSchema>>; from?: string; to?: string; trend?: boolean }): ReportResult {
  const settings = SettingsSchema.parse(opts.settings ?? {});
  const [res] = computeReports(db, [{ id, group: id.split('/')[0]!, def }], {
    settings,
    asOf: Date.parse(opts.asOf),
    ...(opts.from ? { from: Date.parse(opts.from) } : {}),
    ...(opts.to ? { to: Date.parse(opts.to) } : {}),
    trend: opts.trend ?? false,
  });
  if (!res!.ok) throw res!.error;
  return res!.value;
}

import { createAlertService, loadRegistry, loadSchedulesFor, openStore } from '../app.js';
import { alertStates, roleTargets } from '../alerts/engine.js';
import { createMailer } from '../delivery/mailer.js';
import type { AlertRule } from '../delivery/schedules.js';
import { AppError } from '../errors.js';
import { failingChannels } from '../store/alerts.js';
import { didYouMean } from '../suggest.js';
import type { Command } from './types.js';

function when(t: number | null): string {
  return t === null ? '-' : new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function condition(r: AlertRule): string {
  if (r.rows) return `each row${Object.keys(r.rows.where).length ? ` where ${Object.entries(r.rows.where).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(' and ')}` : ''} (key ${r.rows.key})`;
  const m = r.metric!;
  return `${m.name} ${m.above !== undefined ? `> ${m.above}` : m.below !== undefined ? `< ${m.below}` : 'misses its target'}`;
}

const command: Command = {
  name: 'alerts',
  summary: 'list alert rules and their states; "alerts test <id>" shows what an evaluation now would send',
  usage: '[test <id>] [--json]',
  description: `
Lists the alert rules of schedules.json ("alerts") with the state of each alert: OK, PENDING (breaching,
fewer than "for" evaluations in a row) or FIRING, and channels that keep failing.

"alerts test <id>" evaluates one rule now against the store, as the daemon does after a sync, and prints
what it sees and which notifications would go to whom. Nothing is sent and nothing is written.

Rules are evaluated by the daemon after every successful sync (and after an Autotask webhook changes a
ticket). A notification goes out once per change of state and recipient: FIRING after "for" breaching
evaluations in a row, reminders while firing every "remind" inside business hours, an escalation to other
roles after "escalate.after", RESOLVED to those who got the firing message. Stale or missing data, or a
sample smaller than "minSample", tells the owner and neither fires nor clears.

Examples:
  psa-reports alerts
  psa-reports alerts test backlog-high`,
  options: [{ name: 'json', type: 'boolean', help: 'print JSON' }],
  async run(args, { io, loadConfig, clock }) {
    const [sub, id, ...extra] = args.positionals;
    if (sub !== undefined && sub !== 'test') throw new AppError(`alerts: unknown subcommand "${sub}"; allowed: test <id> (or nothing, to list)`, 'USAGE');
    if (extra.length) throw new AppError(`alerts: unexpected "${extra.join(' ')}"`, 'USAGE');
    const cfg = loadConfig();
    loadRegistry();
    const schedules = loadSchedulesFor(cfg);
    const db = openStore(cfg, { mustExist: true });
    try {
      if (sub === 'test') {
        if (!id) throw new AppError('alerts test: give a rule id (psa-reports alerts lists them)', 'USAGE');
        const rule = schedules.alerts.find((a) => a.id === id);
        if (!rule) throw new AppError(`alerts test: no rule "${id}" in ${schedules.file}${didYouMean(id, schedules.alerts.map((a) => a.id))}; rules: ${schedules.alerts.map((a) => a.id).join(', ') || '(none)'}`, 'USAGE');
        // The outbox mailer is never used by a dry run; it only satisfies the port.
        const svc = createAlertService(cfg, { db, clock, schedules: { ...schedules, alerts: [{ ...rule, enabled: true }] }, mailer: createMailer({ smtpUrl: null, outbox: cfg.paths.outbox }), env: io.env });
        const [out] = svc.evaluate({ dryRun: true, only: id });
        if (args.values.json) {
          io.out(JSON.stringify(out ?? null, null, 2));
          return 0;
        }
        io.out(`${rule.id}: ${rule.report}, ${condition(rule)}, for ${rule.for}`);
        io.out(`  now: ${out?.observation ?? '-'}`);
        for (const s of out?.states ?? []) io.out(`  ${s.alertKey}${s.label ? ` (${s.label})` : ''}: would be ${s.state.toUpperCase()} (${s.breaches} breaching in a row)`);
        if (!out?.planned.length) io.out('  would send: nothing');
        for (const p of out?.planned ?? []) io.out(`  would send to ${p.recipient}: ${p.message.title}`);
        return 0;
      }
      const states = alertStates(db);
      const failing = failingChannels(db, cfg.alerts.failingAfter);
      if (args.values.json) {
        io.out(JSON.stringify({ rules: schedules.alerts, states, failingChannels: failing }, null, 2));
        return 0;
      }
      if (!schedules.alerts.length) io.out(`No alert rules in ${schedules.file} (add an "alerts" list; see the README).`);
      for (const r of schedules.alerts) {
        const mine = states.filter((s) => s.rule_id === r.id);
        const own = mine.find((s) => s.alert_key === r.id);
        const active = mine.filter((s) => s.state !== 'ok');
        const to = [...new Set(r.roles.flatMap((x) => roleTargets(db, schedules, x)))];
        io.out(`${r.enabled ? '' : '(disabled) '}${r.id}: ${r.report}, ${condition(r)}, for ${r.for} → ${r.roles.join(', ')} (${to.length} recipient(s))`);
        if (own?.unknown_reason) io.out(`  cannot evaluate: ${own.unknown_reason}`);
        if (!active.length) io.out(`  OK${own?.last_eval_at ? ` (last evaluated ${when(own.last_eval_at)}${own.last_value !== null && r.metric ? `, value ${own.last_value}` : ''})` : ''}`);
        for (const s of active) io.out(`  ${s.state.toUpperCase()} ${s.subject ? `${s.label ?? s.subject}` : ''}${s.state === 'firing' ? ` since ${when(s.fired_at)}` : ` (${s.breaches}/${r.for})`}${s.last_value !== null && r.metric ? `, value ${s.last_value}` : ''}`);
      }
      for (const f of failing) io.out(`FAILING channel ${f.channel}: ${f.consecutive_failures} notifications in a row since ${when(f.last_failure_at)} — ${f.last_error ?? ''}`);
      return 0;
    } finally {
      db.close();
    }
  },
};
export default command;

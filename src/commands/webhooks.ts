import { createLedgerClient, openStore } from '../app.js';
import { checkCalloutUrl, installWebhook, readSecretFile, uninstallWebhook } from '../autotask/webhooks.js';
import { AppError } from '../errors.js';
import { webhookEventCounts } from '../store/webhook-events.js';
import type { Command } from './types.js';

function when(t: number | null | undefined): string {
  return t === null || t === undefined ? '-' : new Date(t).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

const command: Command = {
  name: 'webhooks',
  summary: 'install, show or remove the Autotask ticket webhook that tells "serve" about changes in seconds',
  usage: 'install --url https://…/autotask/webhook [--notify <email>] | status | uninstall',
  description: `
Autotask can call psa-reports when a ticket changes (status, queue, priority, assigned resource, the SLA
fields): "serve" (or "daemon --serve") receives the callout at POST /autotask/webhook, checks its signature,
reads that one ticket, records its state and re-evaluates the alert rules — within seconds instead of at the
next sync. A ticket reopened and completed again between two syncs keeps its reopen in the history.

install creates a ticket webhook through the REST API with a generated secret. The secret is written to
the file of settings webhooks.secretFile (default autotask-webhook.secret next to the settings file;
env PSA_REPORTS_WEBHOOK_SECRET_FILE) with mode 0600 — never to the store. The URL must be the public https
address of your "serve" behind its reverse proxy (Autotask calls only https on port 443). The API user's
security level needs "Can create WebHooks".

status shows the webhook as Autotask has it and the callouts received. uninstall deletes the webhook and
the secret file. Time entries, contracts, billing and opportunities still come by sync.

Examples:
  psa-reports webhooks install --url https://reports.msp.example/autotask/webhook
  psa-reports webhooks status
  psa-reports webhooks uninstall`,
  options: [
    { name: 'url', type: 'string', arg: '<https URL>', help: 'install: the public address of /autotask/webhook' },
    { name: 'notify', type: 'string', arg: '<email>', help: 'install: who Autotask e-mails about failing callouts' },
  ],
  async run(args, { io, loadConfig, clock }) {
    const [sub, ...extra] = args.positionals;
    if (!sub || !['install', 'status', 'uninstall'].includes(sub)) throw new AppError(`webhooks: give install, status or uninstall${sub ? ` (not "${sub}")` : ''}`, 'USAGE');
    if (extra.length) throw new AppError(`webhooks ${sub}: unexpected "${extra.join(' ')}"`, 'USAGE');
    if (sub !== 'install' && (args.values.url !== undefined || args.values.notify !== undefined)) throw new AppError('--url and --notify go with install', 'USAGE');
    const cfg = loadConfig();
    const file = cfg.webhookSecretFile;
    const db = openStore(cfg);
    try {
      const client = await createLedgerClient(cfg, db, clock);
      if (sub === 'install') {
        if (typeof args.values.url !== 'string') throw new AppError('webhooks install: --url https://…/autotask/webhook is required', 'USAGE');
        const url = checkCalloutUrl(args.values.url);
        const r = await installWebhook(client, file, url, { now: clock.now(), ...(typeof args.values.notify === 'string' ? { notify: args.values.notify } : {}) });
        io.out(`Installed Autotask ticket webhook ${r.webhookId} calling ${url}`);
        io.out(`  fields: ${r.fields.join(', ')}`);
        io.out(`  secret: in ${file} (mode 0600; keep it out of backups of the store and out of version control)`);
        return 0;
      }
      if (sub === 'uninstall') {
        const r = await uninstallWebhook(client, file);
        if (r.webhookId === null && !r.existed) io.out(`No webhook installed (${file} does not exist).`);
        else io.out(`Removed${r.existed ? ` Autotask webhook ${r.webhookId}` : ` ${file} (the webhook ${r.webhookId ?? ''} was already gone in Autotask)`}.`);
        return 0;
      }
      const f = readSecretFile(file);
      if (!f) {
        io.out(`No webhook installed (${file} does not exist). Install one: psa-reports webhooks install --url https://…/autotask/webhook`);
        return 0;
      }
      const remote = f.webhookId ? await client.get('TicketWebhooks', f.webhookId) : null;
      io.out(`Webhook ${f.webhookId ?? '(install did not finish)'} → ${f.url} (secret in ${file})`);
      io.out(remote ? `  Autotask: ${remote.isActive ? 'active' : 'INACTIVE (deactivated after failing callouts? reinstall)'}, ${remote.isReady === false ? 'not ready' : 'ready'}` : '  Autotask: NOT FOUND (deleted there?): run uninstall, then install');
      const ev = webhookEventCounts(db, clock.now() - 86_400_000);
      io.out(`  callouts received: ${ev.total} (${ev.since} in the last 24 h), last ${when(ev.last)}`);
      return remote ? 0 : 1;
    } finally {
      db.close();
    }
  },
};
export default command;

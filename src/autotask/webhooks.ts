import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { AutotaskClient } from './client.js';

/**
 * The Autotask ticket webhook of this install: created through the REST API (TicketWebhooks + Fields), its
 * generated secret kept in a file of its own (mode 0600, next to the settings) — never in the store, so a
 * copy or a backup of the store cannot forge callouts.
 */

/** What the secret file holds. */
export interface WebhookSecretFile {
  /** TicketWebhooks id (null while the create is in progress). */
  webhookId: number | null;
  /** Where Autotask calls (our `serve`'s /autotask/webhook). */
  url: string;
  /** The HMAC-SHA1 key Autotask signs with. */
  secretKey: string;
  /** When it was made (ISO). */
  createdAt: string;
}

/** The ticket fields whose changes matter to reports and alerts (status, queue, priority, assignee, SLA). */
export const WATCHED_FIELDS = ['status', 'queueID', 'priority', 'assignedResourceID', 'dueDateTime', 'firstResponseDateTime', 'resolvedDateTime', 'serviceLevelAgreementHasBeenMet', 'completedDate'];

/** Reads the secret file; null when there is none. Refuses a file others can read. */
export function readSecretFile(file: string): WebhookSecretFile | null {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      throw new AppError(`${file}: readable by others (mode ${(st.mode & 0o777).toString(8)}); it holds the webhook secret: chmod 600 ${file}`, 'CONFIG');
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const j = JSON.parse(text) as WebhookSecretFile;
    if (typeof j.secretKey !== 'string' || j.secretKey.length < 16) throw new Error('no secretKey');
    return j;
  } catch {
    throw new AppError(`${file}: not a webhook secret file written by "psa-reports webhooks install" (JSON with webhookId, url, secretKey)`, 'CONFIG');
  }
}

function writeSecretFile(file: string, v: WebhookSecretFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(v, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** Checks a callout URL: https (Autotask calls only HTTPS on 443), or http to this machine for trials. */
export function checkCalloutUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError(`--url: "${url}" is not a URL; give the public https address of /autotask/webhook, such as https://reports.msp.example/autotask/webhook`, 'USAGE');
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) throw new AppError(`--url: Autotask calls only https addresses (port 443); "${u.protocol}//${u.host}" is not one`, 'USAGE');
  if (u.username || u.password) throw new AppError('--url: no user or password in the URL: callouts are signed instead', 'USAGE');
  if (!u.pathname.endsWith('/autotask/webhook')) throw new AppError(`--url: the path must end in /autotask/webhook (where "serve" receives callouts), not "${u.pathname}"`, 'USAGE');
  return u.href;
}

/** Creates the webhook, subscribes the watched fields, writes the secret file. */
export async function installWebhook(client: AutotaskClient, file: string, url: string, o: { now: number; notify?: string }): Promise<{ webhookId: number; fields: string[] }> {
  const existing = readSecretFile(file);
  if (existing?.webhookId) throw new AppError(`a webhook is already installed (id ${existing.webhookId}, ${file}); run "psa-reports webhooks uninstall" first`, 'USAGE');
  const secretKey = crypto.randomBytes(32).toString('base64url'); // 43 characters: Autotask allows 64
  const record: WebhookSecretFile = { webhookId: null, url, secretKey, createdAt: new Date(o.now).toISOString() };
  // The secret is on disk before Autotask knows it: a crash in between leaves a file, never a webhook
  // signing with a key nobody kept.
  writeSecretFile(file, record);
  // Field ids come from the tenant's metadata, by name.
  const meta = await client.fields('TicketWebhookFields');
  const pick = meta.find((f) => f.name.toLowerCase() === 'fieldid')?.picklistValues ?? [];
  const idOf = (name: string) => pick.find((p) => String(p.label).toLowerCase() === name.toLowerCase())?.value;
  const webhookId = await client.create('TicketWebhooks', {
    name: 'psa-reports', webhookUrl: url, deactivationUrl: url, secretKey, isActive: true,
    isSubscribedToCreateEvents: true, isSubscribedToUpdateEvents: true, isSubscribedToDeleteEvents: true,
    sendThresholdExceededNotification: true, ...(o.notify ? { notificationEmailAddress: o.notify } : {}),
  });
  writeSecretFile(file, { ...record, webhookId });
  const subscribed: string[] = [];
  for (const name of WATCHED_FIELDS) {
    const id = idOf(name);
    if (id === undefined) continue;
    await client.create('Fields', { webhookID: webhookId, fieldID: Number(id), isSubscribedField: true, isDisplayAlwaysField: false }, { entity: 'TicketWebhooks', id: webhookId });
    subscribed.push(name);
  }
  const num = idOf('ticketNumber');
  if (num !== undefined) await client.create('Fields', { webhookID: webhookId, fieldID: Number(num), isSubscribedField: false, isDisplayAlwaysField: true }, { entity: 'TicketWebhooks', id: webhookId });
  if (!subscribed.length) throw new AppError(`Autotask lists none of the ticket fields ${WATCHED_FIELDS.join(', ')} for webhooks; webhook ${webhookId} would never call`, 'AUTOTASK_HTTP');
  return { webhookId, fields: subscribed };
}

/** Deletes the webhook and the secret file. */
export async function uninstallWebhook(client: AutotaskClient, file: string): Promise<{ webhookId: number | null; existed: boolean }> {
  const f = readSecretFile(file);
  if (!f) return { webhookId: null, existed: false };
  const existed = f.webhookId ? await client.remove('TicketWebhooks', f.webhookId) : false;
  fs.rmSync(file, { force: true });
  return { webhookId: f.webhookId, existed };
}

import crypto from 'node:crypto';
import type { Tenant } from './tenant.js';

/**
 * Ticket webhooks of the simulated Autotask: `TicketWebhooks` with their `Fields`, and signed callouts on
 * every ticket change, as Autotask sends them (autotask-api.md §6): the JSON body with certain characters
 * escaped as \uXXXX, `X-Hook-Signature: sha1=<base64 HMAC-SHA1 of the raw body>`, a sequence number per
 * webhook, callouts queued in order, retried, and given up on (to the error log) after 5 attempts.
 */

/** The ticket fields a webhook can subscribe to, by field id (what `TicketWebhookFields` lists). */
export const WEBHOOK_TICKET_FIELDS: Record<number, string> = {
  1: 'status', 2: 'ticketNumber', 3: 'queueID', 4: 'priority', 5: 'assignedResourceID', 6: 'dueDateTime',
  7: 'firstResponseDateTime', 8: 'resolvedDateTime', 9: 'serviceLevelAgreementHasBeenMet', 10: 'completedDate', 11: 'title',
};

/** One webhook. */
export interface SimWebhook {
  id: number;
  name: string;
  webhookUrl: string;
  deactivationUrl: string | null;
  secretKey: string;
  isActive: boolean;
  isReady: boolean;
  isSubscribedToCreateEvents: boolean;
  isSubscribedToUpdateEvents: boolean;
  isSubscribedToDeleteEvents: boolean;
  webhookGUID: string;
  /** Field ids, subscribed or always shown. */
  fields: { id: number; fieldID: number; isSubscribedField: boolean; isDisplayAlwaysField: boolean }[];
  /** Last sequence number handed out. */
  sequence: number;
  /** Failed callouts in a row (25 deactivates it). */
  failuresInARow: number;
}

/** Options of the webhook part. */
export interface SimWebhookOptions {
  /** Wait before a failed callout is tried again (Autotask: 30 s). */
  retryMs?: number;
  /** Attempts per callout (Autotask: 5). */
  attempts?: number;
}

/** Autotask's escaping before it signs: `& < > ' " \` +` and non-ASCII as \uXXXX inside strings. */
export function autotaskJson(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'string') return `"${v.replace(/[&<>'"`+\\\u0000-\u001f\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
  if (Array.isArray(v)) return `[${v.map(autotaskJson).join(',')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${autotaskJson(k)}:${autotaskJson(x)}`).join(',')}}`;
}

/** The signature header value of a body. */
export function hookSignature(body: string, secret: string): string {
  return `sha1=${crypto.createHmac('sha1', secret).update(body, 'utf8').digest('base64')}`;
}

export class SimWebhooks {
  readonly hooks = new Map<number, SimWebhook>();
  /** Callouts given up on (WebhookEventErrorLogs). */
  readonly errorLog: { webhookId: number; payload: string; error: string }[] = [];
  /** Callouts delivered (2xx), in order. */
  readonly delivered: { webhookId: number; sequence: number }[] = [];
  private nextId = 1;
  private nextFieldId = 1;
  private queue: Promise<void> = Promise.resolve();
  private skip = 0;

  constructor(private readonly tenant: Tenant, private readonly opts: SimWebhookOptions = {}) {
    tenant.onChange = (e) => {
      if (e.entity === 'Tickets') this.changed(e.id, e.action, e.fields);
    };
  }

  create(body: Record<string, unknown>): number {
    const get = (k: string) => Object.entries(body).find(([x]) => x.toLowerCase() === k.toLowerCase())?.[1];
    const url = String(get('webhookUrl') ?? '');
    const secret = String(get('secretKey') ?? '');
    if (!url || !secret || secret.length > 64) throw new Error('webhookUrl and secretKey (at most 64 characters) are required.');
    const id = this.nextId++;
    this.hooks.set(id, {
      id, name: String(get('name') ?? '').slice(0, 50), webhookUrl: url, deactivationUrl: (get('deactivationUrl') as string | undefined) ?? null, secretKey: secret,
      isActive: get('isActive') !== false, isReady: true,
      isSubscribedToCreateEvents: get('isSubscribedToCreateEvents') === true, isSubscribedToUpdateEvents: get('isSubscribedToUpdateEvents') === true,
      isSubscribedToDeleteEvents: get('isSubscribedToDeleteEvents') === true, webhookGUID: crypto.randomUUID(), fields: [], sequence: 0, failuresInARow: 0,
    });
    return id;
  }

  addField(webhookId: number, body: Record<string, unknown>): number {
    const h = this.hooks.get(webhookId);
    if (!h) throw new Error(`No TicketWebhook with id ${webhookId} was found.`);
    const get = (k: string) => Object.entries(body).find(([x]) => x.toLowerCase() === k.toLowerCase())?.[1];
    const fieldID = Number(get('fieldID'));
    if (!WEBHOOK_TICKET_FIELDS[fieldID]) throw new Error(`Picklist value [${String(get('fieldID'))}] does not exist for fieldID`);
    const id = this.nextFieldId++;
    h.fields.push({ id, fieldID, isSubscribedField: get('isSubscribedField') === true, isDisplayAlwaysField: get('isDisplayAlwaysField') === true });
    return id;
  }

  /** The record shape the REST API returns. */
  view(h: SimWebhook): Record<string, unknown> {
    const { fields: _f, sequence: _s, failuresInARow: _c, ...rest } = h;
    return rest;
  }

  /** The next `n` callouts are lost on the way (their sequence numbers are used): a gap at the receiver. */
  loseNext(n: number): void {
    this.skip += n;
  }

  /** Resolves when every queued callout has been delivered or given up on. */
  idle(): Promise<void> {
    return this.queue;
  }

  private changed(ticketId: number, action: 'Create' | 'Update' | 'Delete', changed: string[]): void {
    for (const h of this.hooks.values()) {
      if (!h.isActive) continue;
      if ((action === 'Create' && !h.isSubscribedToCreateEvents) || (action === 'Update' && !h.isSubscribedToUpdateEvents) || (action === 'Delete' && !h.isSubscribedToDeleteEvents)) continue;
      const subscribed = h.fields.filter((f) => f.isSubscribedField).map((f) => WEBHOOK_TICKET_FIELDS[f.fieldID]!.toLowerCase());
      if (!subscribed.length) continue; // Autotask sends nothing until a field is subscribed
      const lower = changed.map((c) => c.toLowerCase());
      if (action === 'Update' && !lower.some((c) => subscribed.includes(c))) continue;
      const rec = this.tenant.get('Tickets', ticketId) as Record<string, unknown> | undefined;
      const fields: Record<string, string> = {};
      for (const f of h.fields) {
        const name = WEBHOOK_TICKET_FIELDS[f.fieldID]!;
        if (!rec || !(f.isDisplayAlwaysField || (f.isSubscribedField && lower.includes(name.toLowerCase())))) continue;
        const v = rec[name];
        // Values arrive as strings, field names in PascalCase.
        if (v !== undefined) fields[name[0]!.toUpperCase() + name.slice(1)] = v === null ? '' : typeof v === 'number' && /date/i.test(name) ? new Date(v).toISOString() : String(v);
      }
      h.sequence++;
      const payload = autotaskJson({
        Action: action, Guid: h.webhookGUID, EntityType: 'Ticket', Id: ticketId, Fields: fields,
        EventTime: new Date(this.tenant.now).toISOString().replace('.000Z', 'Z'), SequenceNumber: h.sequence, PersonID: this.tenant.adminResourceId,
      });
      if (this.skip > 0) {
        this.skip--;
        continue;
      }
      this.queue = this.queue.then(() => this.callout(h, payload));
    }
  }

  private async callout(h: SimWebhook, body: string): Promise<void> {
    const attempts = this.opts.attempts ?? 5;
    let error = '';
    for (let n = 1; n <= attempts; n++) {
      try {
        const res = await fetch(h.webhookUrl, {
          method: 'POST', body, signal: AbortSignal.timeout(10_000),
          headers: { 'content-type': 'application/json; charset=utf-8', 'x-hook-signature': hookSignature(body, h.secretKey) },
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          h.failuresInARow = 0;
          this.delivered.push({ webhookId: h.id, sequence: JSON.parse(body).SequenceNumber as number });
          return;
        }
        error = `HTTP ${res.status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      if (n < attempts) await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 30_000));
    }
    this.errorLog.push({ webhookId: h.id, payload: body, error });
    if (++h.failuresInARow >= 25) h.isActive = false;
  }
}

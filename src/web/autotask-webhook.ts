import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { entity } from '../autotask/entities.js';
import type { AutotaskRecord } from '../autotask/client.js';
import type { Db } from '../store/db.js';
import { createSyncStore } from '../store/sync-store.js';
import { lastWebhookSequence, recordWebhookEvent, webhookEventSeen } from '../store/webhook-events.js';
import { matchFieldCase } from '../sync/index.js';
import type { Clock } from '../types.js';

/**
 * The Autotask webhook receiver (POST /autotask/webhook). Order matters: the signature is checked over the
 * raw bytes, in constant time, before anything is parsed — an unsigned call, the deactivation notice
 * included, is refused with nothing stored. A (webhook GUID, SequenceNumber) seen before is done already.
 * A ticket callout costs one request (GET Tickets/{id}) and appends the ticket's state record, so a ticket
 * reopened and completed again between two polls still leaves its reopen in the history.
 */

/** What the receiver needs. */
export interface WebhookReceiverDeps {
  /** The store. */
  db: Db;
  /** Time base. */
  clock: Clock;
  /** The HMAC-SHA1 key (from the secret file), or null when no webhook is installed. */
  secret(): string | null;
  /** GET Tickets/{id}; null when it is gone. */
  fetchTicket(id: number): Promise<AutotaskRecord | null>;
  /** After a change was stored: re-evaluate alerts (runs in the background; must not throw). */
  afterChange(): void;
  /** A sequence gap (callouts lost to Autotask's error log): start an incremental sync (must not throw). */
  onGap(info: { guid: string; expected: number; got: number }): void;
  /** Log line. */
  onEvent?(e: { guid: string; sequence: number; entity: string; id: number; action: string; outcome: string }): void;
}

/** Outcome of one callout, as answered. */
export interface CalloutAnswer {
  /** HTTP status. */
  status: number;
  /** JSON body. */
  body: Record<string, unknown>;
}

/** Whether `header` is `sha1=<base64 HMAC-SHA1(raw, secret)>`, compared in constant time. */
export function validSignature(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof header !== 'string') return false;
  const m = /^sha1=([A-Za-z0-9+/]+={0,2})$/.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'base64');
  const want = crypto.createHmac('sha1', secret).update(raw).digest();
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

const field = (o: Record<string, unknown>, name: string): unknown => o[name] ?? o[Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ''];

/** Handles one callout. */
export async function handleCallout(deps: WebhookReceiverDeps, raw: Buffer, signature: string | undefined): Promise<CalloutAnswer> {
  const secret = deps.secret();
  if (!secret) return { status: 503, body: { error: 'no Autotask webhook is installed here (psa-reports webhooks install)' } };
  if (!validSignature(raw, signature, secret)) return { status: 401, body: { error: 'missing or wrong X-Hook-Signature' } };
  let payload: Record<string, unknown>;
  try {
    const j = JSON.parse(raw.toString('utf8'));
    if (!j || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object');
    payload = j as Record<string, unknown>;
  } catch {
    return { status: 400, body: { error: 'the body is not a JSON object' } };
  }
  const guid = String(field(payload, 'Guid') ?? '');
  const seq = Number(field(payload, 'SequenceNumber'));
  const kind = String(field(payload, 'EntityType') ?? '');
  const id = Number(field(payload, 'Id'));
  const action = String(field(payload, 'Action') ?? '');
  if (!guid || !Number.isInteger(seq) || !Number.isInteger(id)) {
    // Signed, but not a change: the deactivation notice (Autotask gave up on us after 25 failures).
    deps.onEvent?.({ guid, sequence: Number.isFinite(seq) ? seq : -1, entity: kind, id: Number.isFinite(id) ? id : -1, action, outcome: 'notice (not a change): check "psa-reports webhooks status"' });
    return { status: 200, body: { status: 'noted' } };
  }
  const { db, clock } = deps;
  if (webhookEventSeen(db, guid, seq)) {
    deps.onEvent?.({ guid, sequence: seq, entity: kind, id, action, outcome: 'replay: already done' });
    return { status: 200, body: { status: 'duplicate' } };
  }
  const last = lastWebhookSequence(db, guid);
  let record: AutotaskRecord | null = null;
  if (kind === 'Ticket' && action !== 'Delete') record = await deps.fetchTicket(id);
  const def = entity('Tickets');
  const store = createSyncStore(db);
  const now = clock.now();
  const inserted = store.tx(() => {
    const recorded = recordWebhookEvent(db, { guid, sequence: seq, entity: kind, entityId: id, action, eventTime: String(field(payload, 'EventTime') ?? ''), receivedAt: now });
    if (!recorded) return false; // the same callout, handled meanwhile by another request
    if (kind === 'Ticket') {
      if (action === 'Delete') store.deleteTickets([id]);
      else if (record) {
        const [r] = matchFieldCase(def, [record]);
        store.upsertRecords(def, [r!], now);
        store.recordTicketStates([r!], now);
      }
    }
    return true;
  });
  if (!inserted) return { status: 200, body: { status: 'duplicate' } };
  deps.onEvent?.({ guid, sequence: seq, entity: kind, id, action, outcome: record ? 'stored' : kind === 'Ticket' && action === 'Delete' ? 'deleted' : 'noted' });
  if (last !== null && seq > last + 1) deps.onGap({ guid, expected: last + 1, got: seq });
  deps.afterChange();
  return { status: 200, body: { status: 'ok' } };
}

/** Adds the route: raw body (the signature covers the bytes), no session, no CSRF (the signature is the check). */
export async function registerWebhookRoute(app: FastifyInstance, deps: () => WebhookReceiverDeps): Promise<void> {
  await app.register(async (sub) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));
    sub.post('/autotask/webhook', async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const sig = req.headers['x-hook-signature'];
      const answer = await handleCallout(deps(), raw, Array.isArray(sig) ? sig[0] : sig);
      return reply.code(answer.status).type('application/json').send(answer.body);
    });
  });
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { CommandIO } from '../commands/types.js';
import { createConfiguredRenderer, lastSyncAt, toJsonShape, webhookReceiverDeps } from '../app.js';
import { registerWebhookRoute, type WebhookReceiverDeps } from './autotask-webhook.js';
import { AppError, printable } from '../errors.js';
import type { Db } from '../store/db.js';
import { Ledger } from '../store/ledger.js';
import { defaultTemplatesDir, loadPageTemplates } from '../render/templates.js';
import type { Renderer } from '../render/pdf.js';
import type { ChartRenderer } from '../render/charts.js';
import { formatDateTime } from '../render/format.js';
import { systemClock, type Clock } from '../types.js';
import { Users, type WebSession, type WebUser } from './users.js';
import { LoginLimiter, PAGE_CSP, cookie, fileInside, isLoopback, parseCookies, sameToken } from './security.js';
import { autotaskLinks, type Links } from './links.js';
import * as pages from './pages.js';
import { startWarmer } from './warm.js';
import { computeOne } from './compute.js';
import { createOidcSignIn, mappedRole, type OidcSignIn, type OidcTransaction } from './oidc.js';
import { proxyIdentityReader } from './proxy-auth.js';
import { ChartImages } from './charts.js';

/** Options of the web server. */
export interface WebOptions {
  /** The resolved configuration. */
  cfg: Config;
  /** The store (the caller opens and closes it). */
  db: Db;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 8080; 0 picks a free one). */
  port?: number;
  /** Where progress and errors go. */
  io: CommandIO;
  /** Clock (sessions, default as-of). */
  clock?: Clock;
  /** Whether a daemon is alive on this store (default: its lock row has a fresh heartbeat). */
  daemonAlive?: () => boolean;
  /** How often the board polls (ms). */
  boardPollMs?: number;
  /** Rows of a report's table on its page before "Show all" (default pages.PAGE_ROWS). */
  pageRows?: number;
  /** How often to look for a new sync to warm the pages' caches for (ms; 0 or absent: no warming, as in tests; serve sets 5000). */
  warmPollMs?: number;
  /** Ports of the Autotask webhook receiver (default: from the configuration). */
  webhook?: WebhookReceiverDeps;
  /** Sign-in with an identity provider (default: from web.oidc and PSA_REPORTS_OIDC_CLIENT_SECRET). */
  oidc?: OidcSignIn;
}

/** A running web server. */
export interface WebServer {
  /** `http://host:port`. */
  url: string;
  /** The Fastify instance (tests inject requests). */
  app: FastifyInstance;
  /** Stops listening and closes the renderer. */
  close(): Promise<void>;
}

/** Who may open a route: anyone, any signed-in user, readers (viewer and up), senders (manager and up). */
type Access = 'public' | 'signed-in' | 'read' | 'send';
const RANK: Record<WebUser['role'], number> = { technician: 0, viewer: 1, manager: 2, admin: 3 };
const NEED: Record<Exclude<Access, 'public'>, number> = { 'signed-in': 0, read: 1, send: 2 };

const SESSION_COOKIE = 'psa_session';
const LOGIN_CSRF_COOKIE = 'psa_login_csrf';
const OIDC_COOKIE = 'psa_oidc';
/** A sign-in at the identity provider must come back within this time. */
const OIDC_TX_MS = 10 * 60_000;

/** The identity-provider sign-in of the configuration, or null; refuses web.oidc without its client secret. */
function configuredOidc(cfg: Config, clock: Clock): OidcSignIn | null {
  const o = cfg.webAuth.oidc;
  if (!o) return null;
  if (!cfg.webAuth.oidcClientSecret) {
    throw new AppError(`${cfg.configFile ?? 'settings'}: web.oidc is set but the environment variable PSA_REPORTS_OIDC_CLIENT_SECRET (the app registration's client secret) is not; set it, or remove web.oidc`, 'CONFIG');
  }
  return createOidcSignIn(o, cfg.webAuth.oidcClientSecret, clock);
}

/** The context a page handler gets. */
export interface Ctx {
  /** The session (null on public routes). */
  session: WebSession | null;
  /** The request. */
  req: FastifyRequest;
  /** The reply. */
  reply: FastifyReply;
}

/** Static files, from our own origin only: a fixed list, never a path from the request. */
function staticFiles(dir: string): Map<string, { body: Buffer; type: string }> {
  const m = new Map<string, { body: Buffer; type: string }>();
  m.set('/static/app.css', { body: fs.readFileSync(path.join(dir, 'web', 'app.css')), type: 'text/css; charset=utf-8' });
  m.set('/static/app.js', { body: fs.readFileSync(path.join(dir, 'web', 'app.js')), type: 'text/javascript; charset=utf-8' });
  m.set('/static/report.css', { body: fs.readFileSync(path.join(dir, 'report.css')), type: 'text/css; charset=utf-8' });
  return m;
}

/** Builds the web app (routes, security hooks) without listening. */
export async function buildWebApp(opts: WebOptions): Promise<{ app: FastifyInstance; state: pages.State }> {
  const { cfg, db, io } = opts;
  const clock = opts.clock ?? systemClock;
  const users = new Users(db);
  const limiter = new LoginLimiter();
  const tplDir = defaultTemplatesDir();
  const templates = loadPageTemplates(tplDir);
  const statics = staticFiles(tplDir);
  let renderer: Promise<Renderer> | null = null;
  let charts: ChartRenderer | null = null;
  const links: Links = await autotaskLinks(cfg, db);
  const state: pages.State = {
    cfg, db, io, clock, templates, links, users,
    boardPollMs: opts.boardPollMs ?? 5000,
    pageRows: opts.pageRows ?? pages.PAGE_ROWS,
    daemonAlive: opts.daemonAlive ?? (() => daemonAliveIn(db, clock.now())),
    renderer: () => {
      state.rendererStarted = true;
      return (renderer ??= createConfiguredRenderer(cfg, clock));
    },
    charts: async () => (charts ??= (await import('../render/charts.js')).createChartRenderer()),
    chartImages: new ChartImages(() => state.charts()),
  };
  if (opts.warmPollMs) state.warmer = startWarmer(state, { pollMs: opts.warmPollMs });

  // Behind a reverse proxy on this machine, X-Forwarded-Proto/For are believed (Secure cookies, per-client limits); from nowhere else.
  const oidc = opts.oidc ?? configuredOidc(cfg, clock);
  const app = Fastify({ logger: false, trustProxy: ['127.0.0.1', '::1'], bodyLimit: 64 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', PAGE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    const e = err as Error & { statusCode?: number; code?: string };
    const code = e.statusCode;
    const status = code && code < 500 ? code : e instanceof AppError && e.code === 'USAGE' ? 400 : 500;
    if (status >= 500) io.err(`web: ${req.method} ${req.url.split('?')[0]}: ${e.stack ?? e.message}`);
    const message = status >= 500 ? 'Something went wrong on the server; the log has the details.' : e.message;
    if (req.url.startsWith('/api/')) return reply.code(status).send({ error: message });
    return reply.code(status).type('text/html; charset=utf-8').send(pages.errorPage(state, null, status, message));
  });
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/')) return reply.code(404).send({ error: 'not found' });
    return reply.code(404).type('text/html; charset=utf-8').send(pages.errorPage(state, null, 404, 'There is no page here.'));
  });

  const secure = (req: FastifyRequest) => req.protocol === 'https';
  const sessionOf = (req: FastifyRequest) => users.session(parseCookies(req.headers.cookie)[SESSION_COOKIE], clock.now());

  // Reverse-proxy header mode: the header names the user only when the TCP peer is a trusted proxy.
  const proxy = cfg.webAuth.proxy;
  const readProxy = proxy ? proxyIdentityReader(proxy) : null;
  let warnedUntrusted = false;
  /** The session of a request: the proxy's header (from a trusted peer) first, else the session cookie; 'refused' for a header user without a role. */
  function sessionFor(req: FastifyRequest, reply: FastifyReply): WebSession | null | { refused: string } {
    const fromCookie = sessionOf(req);
    if (!readProxy || !proxy) return fromCookie;
    const id = readProxy(req.headers, req.socket.remoteAddress);
    if (id.kind === 'none') return fromCookie;
    if (id.kind === 'untrusted') {
      // Said once: a scanner would otherwise fill the log; the header is ignored every time.
      if (!warnedUntrusted) io.err(`web: warning: ignored the ${proxy.header} header of a request from ${id.peer}, which is not in web.proxyAuth.trustedProxies (said once)`);
      warnedUntrusted = true;
      return fromCookie;
    }
    if (id.kind === 'malformed') return { refused: `The proxy's ${proxy.header} header is not one e-mail address.` };
    if (fromCookie && fromCookie.user.email === id.email) return fromCookie;
    const now = clock.now();
    const user = users.external(id.email, proxy.defaultRole, 'proxy', now);
    if (!user) return { refused: `The proxy signed you in as ${id.email}, who is not a user of psa-reports. An admin can add this address (psa-reports users add).` };
    // Another user's cookie in this browser ends: the proxy says who is here now.
    if (fromCookie) users.endSession(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    const { token, session } = users.createSession(user, now);
    reply.header('set-cookie', cookie(SESSION_COOKIE, token, { secure: secure(req) }));
    return session;
  }

  /** Registers a route behind its access check (and the CSRF check for every POST). */
  function route(method: 'GET' | 'POST', url: string, access: Access, handler: (c: Ctx) => unknown): void {
    app.route({
      method, url,
      handler: async (req, reply) => {
        let session: WebSession | null = null;
        if (access !== 'public') {
          const found = sessionFor(req, reply);
          if (found && 'refused' in found) return reply.code(403).type('text/html; charset=utf-8').send(pages.errorPage(state, null, 403, found.refused));
          session = found;
          if (!session) {
            if (req.url.startsWith('/api/') || method === 'POST') return reply.code(401).type('application/json').send({ error: 'sign in first: POST /login' });
            return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 302);
          }
          if (method === 'POST') {
            const body = (req.body ?? {}) as Record<string, unknown>;
            if (!sameToken(body._csrf ?? req.headers['x-csrf-token'], session.csrfToken)) {
              return reply.code(403).type('text/html; charset=utf-8').send(pages.errorPage(state, session, 403, 'This form has expired or did not come from this site (missing CSRF token). Reload the page and try again.'));
            }
          }
          if (RANK[session.user.role] < NEED[access]) {
            if (req.url.startsWith('/api/')) return reply.code(403).send({ error: 'your role does not allow this' });
            return reply.code(403).type('text/html; charset=utf-8').send(pages.errorPage(state, session, 403, `Your role (${session.user.role}) does not allow this page.`));
          }
        }
        return handler({ session, req, reply });
      },
    });
  }

  // Autotask callouts: signed, not signed in (the signature is the check), raw bytes for the HMAC.
  let hookDeps: WebhookReceiverDeps | null = opts.webhook ?? null;
  await registerWebhookRoute(app, () => (hookDeps ??= webhookReceiverDeps(cfg, io, db, clock)));

  for (const [url, f] of statics) {
    app.get(url, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').type(f.type).send(f.body));
  }

  route('GET', '/health', 'public', ({ reply }) => {
    const t = lastSyncAt(db);
    return reply.send({ lastSyncAt: t === null ? null : new Date(t).toISOString(), daemon: state.daemonAlive() });
  });

  // ---- sign-in ----
  const loginPage = (reply: FastifyReply, req: FastifyRequest, o: { error?: string; email?: string; next?: string; status?: number }) => {
    // Login CSRF: a random token in a cookie and in the form (double submit); there is no session yet.
    const token = crypto.randomBytes(24).toString('base64url');
    reply.header('set-cookie', cookie(LOGIN_CSRF_COOKIE, token, { secure: secure(req), maxAgeS: 3600, path: '/login' }));
    const next = safeNext(o.next);
    return reply.code(o.status ?? 200).type('text/html; charset=utf-8').send(templates.render('login', {
      page: pages.pageInfo(state, null, 'Sign in', ''), csrf: token, error: o.error ?? null, email: o.email ?? '', next,
      oidc: oidc && cfg.webAuth.oidc ? { label: cfg.webAuth.oidc.label, href: `/login/oidc?next=${encodeURIComponent(next)}` } : null,
    }));
  };
  route('GET', '/login', 'public', ({ req, reply }) => loginPage(reply, req, { next: (req.query as Record<string, string>).next ?? '/' }));
  route('POST', '/login', 'public', ({ req, reply }) => {
    const body = (req.body ?? {}) as Record<string, string>;
    if (!sameToken(body._csrf, parseCookies(req.headers.cookie)[LOGIN_CSRF_COOKIE])) {
      return reply.code(403).type('text/html; charset=utf-8').send(pages.errorPage(state, null, 403, 'The sign-in form has expired or did not come from this site (missing CSRF token). Open /login again.'));
    }
    const email = String(body.email ?? '').trim().toLowerCase().slice(0, 320);
    const keys = [`ip:${req.ip}`, `user:${email}`];
    const now = clock.now();
    const wait = limiter.retryAfter(keys, now);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return loginPage(reply, req, { status: 429, error: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`, email, next: body.next });
    }
    const user = users.authenticate(email, String(body.password ?? ''));
    if (!user) {
      limiter.fail(keys, now);
      return loginPage(reply, req, { status: 401, error: 'Wrong e-mail address or password.', email, next: body.next });
    }
    limiter.succeed([`user:${email}`]);
    const { token } = users.createSession(user, now);
    reply.header('set-cookie', [
      cookie(SESSION_COOKIE, token, { secure: secure(req) }),
      cookie(LOGIN_CSRF_COOKIE, '', { secure: secure(req), maxAgeS: 0, path: '/login' }),
    ]);
    const next = safeNext(body.next);
    return reply.redirect(user.role === 'technician' && next === '/' ? '/scorecard' : next, 303);
  });
  // ---- sign-in with the identity provider (Entra ID) ----
  // The flow's state, nonce and PKCE verifier stay on the server; the browser holds only a random key to them.
  const pending = new Map<string, OidcTransaction & { next: string; at: number }>();
  route('GET', '/login/oidc', 'public', async ({ req, reply }) => {
    if (!oidc) return reply.code(404).type('text/html; charset=utf-8').send(pages.errorPage(state, null, 404, 'Sign-in with an identity provider is not configured (web.oidc).'));
    const now = clock.now();
    for (const [k, t] of pending) if (t.at < now - OIDC_TX_MS || pending.size > 1000) pending.delete(k);
    let started: Awaited<ReturnType<OidcSignIn['start']>>;
    try {
      started = await oidc.start();
    } catch (e) {
      io.err(`web: ${(e as Error).message}`);
      return loginPage(reply, req, { status: 502, error: 'The identity provider cannot be reached; the server log has the reason. Try again later.' });
    }
    const key = crypto.randomBytes(24).toString('base64url');
    pending.set(key, { ...started.tx, next: safeNext((req.query as Record<string, string>).next), at: now });
    reply.header('set-cookie', cookie(OIDC_COOKIE, key, { secure: secure(req), maxAgeS: OIDC_TX_MS / 1000, path: '/login/oidc', sameSite: 'Lax' }));
    return reply.redirect(started.url, 302);
  });
  route('GET', '/login/oidc/callback', 'public', async ({ req, reply }) => {
    if (!oidc) return reply.code(404).type('text/html; charset=utf-8').send(pages.errorPage(state, null, 404, 'Sign-in with an identity provider is not configured (web.oidc).'));
    const key = parseCookies(req.headers.cookie)[OIDC_COOKIE];
    const tx = key ? pending.get(key) : undefined;
    if (key) pending.delete(key); // one use only
    reply.header('set-cookie', cookie(OIDC_COOKIE, '', { secure: secure(req), maxAgeS: 0, path: '/login/oidc', sameSite: 'Lax' }));
    const q = query(req);
    if (!tx || tx.at < clock.now() - OIDC_TX_MS) {
      return loginPage(reply, req, { status: 400, error: 'This sign-in with Microsoft expired or was started in another browser. Try again.' });
    }
    if (q.error) {
      // The browser brought these words: one printable line in the log, text on the page.
      const why = printable(`${q.error}${q.error_description ? `: ${q.error_description}` : ''}`.replace(/\s+/g, ' ')).slice(0, 300);
      io.err(`web: the identity provider refused a sign-in: ${why}`);
      return loginPage(reply, req, { status: 401, error: `The identity provider refused the sign-in (${why}).`, next: tx.next });
    }
    let identity;
    try {
      identity = await oidc.finish(new URL(req.url, 'http://callback.invalid'), tx);
    } catch (e) {
      io.err(`web: ${(e as Error).message}`);
      return loginPage(reply, req, { status: 401, error: 'Sign-in with Microsoft failed; the server log has the reason.', next: tx.next });
    }
    const o = cfg.webAuth.oidc!;
    const user = users.external(identity.email, mappedRole(identity.roles, o.roleMap, o.defaultRole), 'oidc', clock.now());
    if (!user) {
      io.err(`web: ${identity.email} signed in at the identity provider but has no role here (not a user in the store, no app role in web.oidc.roleMap${o.defaultRole ? '' : ', no web.oidc.defaultRole'})`);
      return loginPage(reply, req, { status: 403, error: `${identity.email} has no access to psa-reports. Ask an admin to add you, or to give you an app role.` });
    }
    const { token } = users.createSession(user, clock.now());
    reply.header('set-cookie', [
      cookie(OIDC_COOKIE, '', { secure: secure(req), maxAgeS: 0, path: '/login/oidc', sameSite: 'Lax' }),
      cookie(SESSION_COOKIE, token, { secure: secure(req) }),
    ]);
    const next = user.role === 'technician' && tx.next === '/' ? '/scorecard' : tx.next;
    // A page of ours moves on, not a redirect: after the provider's cross-site redirect a browser would not
    // send the SameSite=Strict session cookie on a redirect in the same chain.
    const href = next.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Signed in</title></head><body><p><a href="${href}">Continue</a></p></body></html>`);
  });

  route('POST', '/logout', 'signed-in', ({ req, reply }) => {
    users.endSession(parseCookies(req.headers.cookie)[SESSION_COOKIE]);
    reply.header('set-cookie', cookie(SESSION_COOKIE, '', { secure: secure(req), maxAgeS: 0 }));
    return reply.redirect('/login', 303);
  });

  // ---- pages ----
  route('GET', '/', 'signed-in', async (c) => {
    if (c.session!.user.role === 'technician') return c.reply.redirect('/scorecard', 302);
    return html(c.reply, await pages.overview(state, c.session!, query(c.req)));
  });
  route('GET', '/reports', 'read', (c) => html(c.reply, pages.reportList(state, c.session!)));
  route('GET', '/reports/:group/:name', 'read', async (c) => html(c.reply, await pages.reportPage(state, c.session!, reportId(c.req), query(c.req))));
  route('GET', '/reports/:group/:name/download/:format', 'read', async (c) => {
    const a = await pages.download(state, reportId(c.req), String((c.req.params as Record<string, string>).format), query(c.req));
    return c.reply.header('content-disposition', `attachment; filename="${a.filename}"`).type(a.contentType).send(a.content);
  });
  route('GET', '/api/reports/:group/:name', 'read', (c) => {
    const id = reportId(c.req);
    const r = computeOne(state, id, query(c.req), false);
    return c.reply.type('application/json; charset=utf-8').send(`${JSON.stringify(toJsonShape(r), null, 2)}\n`);
  });
  // A chart of a page, by the key the page gave it (content-addressed: cached by the browser; unknown keys are 404).
  route('GET', '/charts/:key', 'signed-in', async (c) => {
    const m = /^([\w-]{43})\.png$/.exec(param(c.req, 'key'));
    const png = m ? await state.chartImages.png(m[1]!) : null;
    if (!png) return c.reply.code(404).type('text/plain; charset=utf-8').send('no such chart (the page that named it is older than this server: reload it)');
    return c.reply.header('cache-control', 'private, max-age=86400, immutable').type('image/png').send(png);
  });
  route('GET', '/board', 'signed-in', (c) => html(c.reply, pages.boardPage(state, c.session!)));
  route('GET', '/api/board', 'signed-in', (c) => c.reply.send(pages.boardData(state)));
  route('GET', '/scorecard', 'signed-in', async (c) => {
    const page = await pages.scorecard(state, c.session!, null, query(c.req));
    return html(c.reply.code(page.status), page.html);
  });
  route('GET', '/scorecard/:resourceId', 'signed-in', async (c) => {
    const id = Number((c.req.params as Record<string, string>).resourceId);
    if (!Number.isInteger(id)) throw new AppError('the technician id must be a whole number', 'USAGE');
    const page = await pages.scorecard(state, c.session!, id, query(c.req));
    return html(c.reply.code(page.status), page.html);
  });
  route('GET', '/schedules', 'read', (c) => html(c.reply, pages.schedulesPage(state, c.session!, query(c.req))));
  route('GET', '/schedules/:id/preview', 'read', async (c) => html(c.reply, await pages.previewPage(state, c.session!, param(c.req, 'id'), query(c.req))));
  route('GET', '/schedules/:id/preview/body', 'read', async (c) => {
    const body = await pages.previewBody(state, param(c.req, 'id'), query(c.req));
    return c.reply.header('content-security-policy', (await import('./security.js')).PREVIEW_CSP).header('x-frame-options', 'SAMEORIGIN').type('text/html; charset=utf-8').send(body);
  });
  route('POST', '/schedules/:id/test', 'send', async (c) => {
    const msg = await pages.sendSchedule(state, param(c.req, 'id'), { to: c.session!.user.email });
    return c.reply.redirect(`/history?msg=${pages.flash(c.session!.user.email, msg)}`, 303);
  });
  route('POST', '/schedules/:id/send', 'send', async (c) => {
    const msg = await pages.sendSchedule(state, param(c.req, 'id'), {});
    return c.reply.redirect(`/history?msg=${pages.flash(c.session!.user.email, msg)}`, 303);
  });
  route('GET', '/history', 'read', (c) => html(c.reply, pages.historyPage(state, c.session!, query(c.req))));
  route('POST', '/history/:runId/resend', 'send', async (c) => {
    const msg = await pages.resendFailed(state, Number(param(c.req, 'runId')));
    return c.reply.redirect(`/history?msg=${pages.flash(c.session!.user.email, msg)}`, 303);
  });
  route('GET', '/sync', 'read', (c) => html(c.reply, pages.syncPage(state, c.session!)));
  route('GET', '/files/*', 'read', (c) => {
    const rel = String((c.req.params as Record<string, string>)['*'] ?? '');
    const file = fileInside(cfg.paths.output, rel);
    if (!file) return c.reply.code(404).type('text/html; charset=utf-8').send(pages.errorPage(state, c.session, 404, 'No such file in the output folder.'));
    const type = file.endsWith('.pdf') ? 'application/pdf' : file.endsWith('.csv') ? 'text/csv; charset=utf-8' : 'application/octet-stream';
    // Always a download, never rendered in our origin (an archived HTML report must not run as a page here).
    return c.reply.header('content-disposition', `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"`).type(type).send(fs.createReadStream(file));
  });

  return { app, state };
}

function html(reply: FastifyReply, body: string) {
  return reply.type('text/html; charset=utf-8').send(body);
}

function param(req: FastifyRequest, name: string): string {
  return String((req.params as Record<string, string>)[name] ?? '');
}

function reportId(req: FastifyRequest): string {
  return `${param(req, 'group')}/${param(req, 'name')}`;
}

/** The query string as single strings (a repeated key keeps its last value). */
function query(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) out[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return out;
}

/** Only a path of this site is a place to go after signing in (no open redirect). */
function safeNext(next: unknown): string {
  const s = typeof next === 'string' ? next : '/';
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(s) && !s.startsWith('/login') ? s : '/';
}

/** Whether a daemon holds this store's lock with a fresh heartbeat. */
export function daemonAliveIn(db: Db, now: number): boolean {
  const heartbeatAt = new Ledger(db).lockHeartbeat('daemon');
  return heartbeatAt !== null && heartbeatAt >= now - 90_000;
}

/** Starts the server: refuses a non-loopback address while no user exists. */
export async function startWebServer(opts: WebOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  const signInMethod = Boolean(opts.oidc ?? opts.cfg.webAuth.oidc ?? opts.cfg.webAuth.proxy);
  if (!isLoopback(host) && new Users(opts.db).count() === 0 && !signInMethod) {
    throw new AppError(`serve: --host ${host} would open the web app to the network while it has no user and no sign-in method. Add one first (psa-reports users add you@msp.example --role admin --password-stdin, or web.oidc / web.proxyAuth in the settings), or listen on 127.0.0.1.`, 'USAGE');
  }
  const { app, state } = await buildWebApp(opts);
  await app.listen({ host, port });
  const addr = app.server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}`,
    app,
    async close() {
      await app.close();
      await pages.closeState(state);
    },
  };
}

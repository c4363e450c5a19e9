import crypto from 'node:crypto';
import type { Db } from '../store/db.js';
import { AppError } from '../errors.js';

/**
 * Users of the web app, their passwords and their sessions, all in the store. Passwords are hashed with
 * scrypt (node:crypto, memory-hard: 32 MiB per hash), so no native dependency is needed; sessions are
 * random 256-bit tokens of which only the SHA-256 is stored.
 */

/** What a user may do: admin ⊃ manager (send tests, send now, re-send) ⊃ viewer (read); technician: own scorecard and the board. */
export const ROLES = ['admin', 'manager', 'viewer', 'technician'] as const;
/** A web user's role. */
export type WebRole = (typeof ROLES)[number];

/** One user of the web app. */
export interface WebUser {
  /** Lower-cased e-mail address; a technician's must be their Autotask resource's address. */
  email: string;
  /** Role. */
  role: WebRole;
  /** When the user was added. */
  createdAt: number;
  /** How the user came: added by an operator ('local'), or made at sign-in through Entra ID ('oidc') or a reverse proxy ('proxy'). */
  source?: UserSource;
}

/** How a user came to be in the store. */
export type UserSource = 'local' | 'oidc' | 'proxy';

/** A signed-in session. */
export interface WebSession {
  /** The user. */
  user: WebUser;
  /** The token every state-changing request must carry. */
  csrfToken: string;
  /** When it ends unless used again. */
  expiresAt: number;
}

/** scrypt cost: N = 2^15, r = 8 → 32 MiB and tens of ms per hash; the parameters are stored with each hash, so they can be raised later. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32 };
const MAXMEM = 64 * 1024 * 1024;

/** Hashes a password: `scrypt$N$r$p$salt$hash` (base64url). */
export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password.normalize('NFC'), salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: MAXMEM });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export function verifyPassword(password: string, stored: string | null): boolean {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const want = Buffer.from(parts[5]!, 'base64url');
  if (!Number.isInteger(N) || N < 2 || N > 1 << 20 || want.length < 16) return false;
  const got = crypto.scryptSync(password.normalize('NFC'), salt, want.length, { N, r, p, maxmem: MAXMEM });
  return crypto.timingSafeEqual(got, want);
}

/** A hash to compare against when the user does not exist, so a wrong address takes as long as a wrong password. */
let decoy: string | null = null;

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Sessions end 12 hours after their last use. */
export const SESSION_IDLE_MS = 12 * 3600_000;

/** Users and sessions over the store. */
export class Users {
  constructor(private readonly db: Db) {}

  /** Number of users (the server refuses a non-loopback address while it is 0). */
  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM web_users').get() as { n: number }).n;
  }

  /** Adds a user, or changes the role and password of an existing one. */
  add(email: string, role: string, password: string, now: number): WebUser {
    const e = email.trim().toLowerCase();
    if (!EMAIL.test(e)) throw new AppError(`users add: "${email}" is not an e-mail address (such as "you@msp.example")`, 'USAGE');
    if (!(ROLES as readonly string[]).includes(role)) throw new AppError(`--role: "${role}" is not allowed. Allowed: ${ROLES.join(', ')}`, 'USAGE');
    if (password.length < 12) throw new AppError('the password must have at least 12 characters', 'USAGE');
    const hash = hashPassword(password);
    this.db.transaction(() => {
      // An operator adding a user signed in through Entra ID or a proxy makes it theirs ('local'): its role is then kept.
      this.db.prepare(`INSERT INTO web_users (email, role, password_hash, created_at, source) VALUES (?, ?, ?, ?, 'local')
        ON CONFLICT(email) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, source = 'local'`).run(e, role, hash, now);
      // A changed password or role signs the user out everywhere.
      this.db.prepare('DELETE FROM web_sessions WHERE email = ?').run(e);
    })();
    return this.get(e)!;
  }

  /** Removes a user and their sessions; false when there was none. */
  remove(email: string): boolean {
    const e = email.trim().toLowerCase();
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM web_sessions WHERE email = ?').run(e);
      return this.db.prepare('DELETE FROM web_users WHERE email = ?').run(e).changes > 0;
    })();
  }

  /** Every user, by address. */
  list(): WebUser[] {
    return (this.db.prepare('SELECT email, role, created_at, source FROM web_users ORDER BY email').all() as { email: string; role: WebRole; created_at: number; source: UserSource }[])
      .map((r) => ({ email: r.email, role: r.role, createdAt: r.created_at, source: r.source }));
  }

  /** One user. */
  get(email: string): WebUser | undefined {
    const r = this.db.prepare('SELECT email, role, created_at, source FROM web_users WHERE email = ?').get(email.trim().toLowerCase()) as { email: string; role: WebRole; created_at: number; source: UserSource } | undefined;
    return r ? { email: r.email, role: r.role, createdAt: r.created_at, source: r.source } : undefined;
  }

  /**
   * The user an external sign-in (Entra ID, a reverse proxy) stands for: a user added by an operator keeps
   * their role; anyone else gets `mapped` (from the role mapping), made or updated as a user without a
   * password. null — and any earlier sessions of a user made this way ended — when there is no role.
   */
  external(email: string, mapped: WebRole | null, source: Exclude<UserSource, 'local'>, now: number): WebUser | null {
    const e = email.trim().toLowerCase();
    if (!EMAIL.test(e) || e.length > 320) return null;
    const known = this.get(e);
    if (known && (known.source ?? 'local') === 'local') return known;
    return this.db.transaction(() => {
      if (!mapped) {
        // The mapping no longer gives this person a role: what was made for them goes.
        if (known) this.remove(e);
        return null;
      }
      this.db.prepare(`INSERT INTO web_users (email, role, password_hash, created_at, source) VALUES (?, ?, NULL, ?, ?)
        ON CONFLICT(email) DO UPDATE SET role = excluded.role, source = excluded.source`).run(e, mapped, now, source);
      return this.get(e)!;
    })();
  }

  /** The user whose password this is, or null (same work whether or not the address exists). */
  authenticate(email: string, password: string): WebUser | null {
    const e = email.trim().toLowerCase();
    const row = this.db.prepare('SELECT password_hash FROM web_users WHERE email = ?').get(e) as { password_hash: string | null } | undefined;
    if (!row) {
      decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
      verifyPassword(password, decoy);
      return null;
    }
    return verifyPassword(password, row.password_hash) ? this.get(e)! : null;
  }

  /** Starts a session; returns the cookie value (never stored) and the session. */
  createSession(user: WebUser, now: number): { token: string; session: WebSession } {
    const token = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_IDLE_MS;
    this.db.prepare('DELETE FROM web_sessions WHERE expires_at < ?').run(now);
    this.db.prepare('INSERT INTO web_sessions (id_hash, email, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(sha256(token), user.email, csrfToken, now, now, expiresAt);
    return { token, session: { user, csrfToken, expiresAt } };
  }

  /** The live session of a cookie value, extended by its use; null when unknown or expired. */
  session(token: string | undefined, now: number): WebSession | null {
    if (!token || token.length > 200) return null;
    const id = sha256(token);
    const r = this.db.prepare(`SELECT s.csrf_token, s.expires_at, s.last_seen_at, u.email, u.role, u.created_at FROM web_sessions s
      JOIN web_users u ON u.email = s.email WHERE s.id_hash = ?`).get(id) as
      | { csrf_token: string; expires_at: number; last_seen_at: number; email: string; role: WebRole; created_at: number } | undefined;
    if (!r || r.expires_at <= now) return null;
    let expiresAt = r.expires_at;
    // Written at most once a minute: a polling board must not turn every request into a write.
    if (now - r.last_seen_at > 60_000) {
      expiresAt = now + SESSION_IDLE_MS;
      this.db.prepare('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?').run(now, expiresAt, id);
    }
    return { user: { email: r.email, role: r.role, createdAt: r.created_at }, csrfToken: r.csrf_token, expiresAt };
  }

  /** Ends a session. */
  endSession(token: string | undefined): void {
    if (token) this.db.prepare('DELETE FROM web_sessions WHERE id_hash = ?').run(sha256(token));
  }
}

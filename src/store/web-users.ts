import type { Db } from './db.js';
import { rowsOf, valuesOf } from './rows.js';

/**
 * The web app's users and sessions (tables `web_users`, `web_sessions`). The rules — address and role
 * checks, password hashing, session tokens — are src/web/users.ts's; this module only reads and writes
 * the rows. Addresses arrive lower-cased and trimmed; sessions are keyed by the SHA-256 of their token.
 */

/** One row of `web_users` without its password hash. */
export interface WebUserRow {
  email: string;
  /** One of src/web/users.ts ROLES (checked when written). */
  role: string;
  created_at: number;
  /** How the user came: 'local' (added by an operator), 'oidc' or 'proxy' (made at sign-in); see src/web/users.ts. */
  source: string;
}

/** A session row joined with its user. */
export interface WebSessionRow extends WebUserRow {
  csrf_token: string;
  expires_at: number;
  last_seen_at: number;
}

/** Number of users. */
export function countWebUsers(db: Db): number {
  return valuesOf<number>(db, 'SELECT COUNT(*) FROM web_users').get()!;
}

/** Adds a user or changes an existing one's role and hash, and ends that user's sessions (one transaction). */
export function putWebUser(db: Db, email: string, role: string, passwordHash: string, now: number): void {
  db.transaction(() => {
    // An operator adding a user signed in through Entra ID or a proxy makes it theirs ('local'): its role is then kept.
    db.prepare(`INSERT INTO web_users (email, role, password_hash, created_at, source) VALUES (?, ?, ?, ?, 'local')
      ON CONFLICT(email) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, source = 'local'`).run(email, role, passwordHash, now);
    db.prepare('DELETE FROM web_sessions WHERE email = ?').run(email);
  })();
}

/** Makes or updates a user who came through an external sign-in, without a password. */
export function putExternalWebUser(db: Db, email: string, role: string, source: string, now: number): void {
  db.prepare(`INSERT INTO web_users (email, role, password_hash, created_at, source) VALUES (?, ?, NULL, ?, ?)
    ON CONFLICT(email) DO UPDATE SET role = excluded.role, source = excluded.source`).run(email, role, now, source);
}

/** Removes a user and their sessions; false when there was none. */
export function deleteWebUser(db: Db, email: string): boolean {
  return db.transaction(() => {
    db.prepare('DELETE FROM web_sessions WHERE email = ?').run(email);
    return db.prepare('DELETE FROM web_users WHERE email = ?').run(email).changes > 0;
  })();
}

/** Every user, by address. */
export function listWebUsers(db: Db): WebUserRow[] {
  return rowsOf<WebUserRow>(db, 'SELECT email, role, created_at, source FROM web_users ORDER BY email').all();
}

/** One user, or undefined. */
export function webUserRow(db: Db, email: string): WebUserRow | undefined {
  return rowsOf<WebUserRow>(db, 'SELECT email, role, created_at, source FROM web_users WHERE email = ?').get(email);
}

/** The user's row with its password hash (null: no password set), or undefined when there is no such user. */
export function passwordHashOf(db: Db, email: string): { password_hash: string | null } | undefined {
  return rowsOf<{ password_hash: string | null }>(db, 'SELECT password_hash FROM web_users WHERE email = ?').get(email);
}

/** Stores a new session, dropping the sessions expired by `now`. */
export function insertWebSession(db: Db, s: { idHash: string; email: string; csrfToken: string; now: number; expiresAt: number }): void {
  db.prepare('DELETE FROM web_sessions WHERE expires_at < ?').run(s.now);
  db.prepare('INSERT INTO web_sessions (id_hash, email, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.idHash, s.email, s.csrfToken, s.now, s.now, s.expiresAt);
}

/** A session with its user, or undefined. */
export function webSessionRow(db: Db, idHash: string): WebSessionRow | undefined {
  return rowsOf<WebSessionRow>(db, `SELECT s.csrf_token, s.expires_at, s.last_seen_at, u.email, u.role, u.created_at, u.source FROM web_sessions s
    JOIN web_users u ON u.email = s.email WHERE s.id_hash = ?`).get(idHash);
}

/** Records a session's use and its new end. */
export function touchWebSession(db: Db, idHash: string, now: number, expiresAt: number): void {
  db.prepare('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?').run(now, expiresAt, idHash);
}

/** Ends a session. */
export function deleteWebSession(db: Db, idHash: string): void {
  db.prepare('DELETE FROM web_sessions WHERE id_hash = ?').run(idHash);
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Headers and checks that keep the web app safe by default. */

/** The pages' policy: scripts and styles from our origin only, no inline script, nothing framed or framing. */
export const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "form-action 'self'", "frame-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

/**
 * A message preview (shown in a sandboxed frame of our own page): the e-mail's inline styles and embedded
 * images, and nothing else: no script, no request anywhere.
 */
export const PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

/** Whether `host` is a loopback address (only reachable from this machine). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Cookies of a request header. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      // a malformed cookie is ignored, not an error page
    }
  }
  return out;
}

/**
 * A Set-Cookie value: HttpOnly always, SameSite=Strict unless told (the sign-in transaction of an identity
 * provider must come back on the provider's cross-site redirect: Lax), Secure when the request came over TLS.
 */
export function cookie(name: string, value: string, o: { secure: boolean; maxAgeS?: number; path?: string; sameSite?: 'Strict' | 'Lax' }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/'}`, 'HttpOnly', `SameSite=${o.sameSite ?? 'Strict'}`];
  if (o.maxAgeS !== undefined) parts.push(`Max-Age=${o.maxAgeS}`);
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Constant-time comparison of two tokens. */
export function sameToken(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || !a || !b) return false;
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y) && a.length === b.length;
}

/** Login attempts: after `max` failures within `windowMs` for one address or one client, refuse until the window passes. */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly max = 5, private readonly windowMs = 15 * 60_000) {}

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait before another attempt, or 0 when allowed. */
  retryAfter(keys: string[], now: number): number {
    let wait = 0;
    for (const k of keys) {
      const list = this.recent(k, now);
      if (list.length >= this.max) wait = Math.max(wait, Math.ceil((list[0]! + this.windowMs - now) / 1000));
    }
    return wait;
  }

  /** Records a failed attempt. */
  fail(keys: string[], now: number): void {
    for (const k of keys) this.failures.set(k, [...this.recent(k, now), now]);
    // Bounded memory under a flood of made-up addresses.
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value!);
  }

  /** Forgets the failures of an address after a successful sign-in. */
  succeed(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }
}

/**
 * Resolves a download path inside `root`: null when it would leave the folder (`..`, absolute paths, NUL,
 * a symbolic link pointing out) or is not a regular file.
 */
export function fileInside(root: string, rel: string): string | null {
  if (!rel || rel.includes('\0') || path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) return null;
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(path.resolve(realRoot, rel));
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot + path.sep)) return null;
  try {
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

import { BlockList, isIP } from 'node:net';
import type { Config } from '../config.js';

/**
 * Reverse-proxy header sign-in: a proxy in front of the app (oauth2-proxy, Authelia, an IIS/ARR or nginx
 * with its own sign-in) names the user in a header. Anyone can send that header, so it is believed only
 * when the TCP peer — the socket's address, never X-Forwarded-For — is one of the configured proxies.
 */

type ProxySettings = NonNullable<Config['webAuth']['proxy']>;

/** `::ffff:10.0.0.5` (an IPv4 peer on a dual-stack socket) is 10.0.0.5. */
export function plainAddress(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  return m ? m[1]! : addr;
}

/** The trusted-proxy list as a matcher of peer addresses. */
export function trustedPeers(list: readonly string[]): (peer: string | undefined) => boolean {
  const b = new BlockList();
  for (const entry of list) {
    const [addr, bits] = entry.split('/');
    const type = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) b.addAddress(plainAddress(addr!), type);
    else b.addSubnet(addr!, Number(bits), type);
  }
  return (peer) => {
    if (!peer) return false;
    const p = plainAddress(peer);
    const v = isIP(p);
    return v !== 0 && b.check(p, v === 6 ? 'ipv6' : 'ipv4');
  };
}

/** What a request's header says, and whether it may be believed. */
export type ProxyIdentity =
  | { kind: 'none' }
  | { kind: 'untrusted'; peer: string }
  | { kind: 'user'; email: string }
  | { kind: 'malformed' };

/** Reads the identity header of a request from `peer`. */
export function proxyIdentityReader(settings: ProxySettings): (headers: Record<string, string | string[] | undefined>, peer: string | undefined) => ProxyIdentity {
  const trusted = trustedPeers(settings.trustedProxies);
  const name = settings.header.toLowerCase();
  return (headers, peer) => {
    const raw = headers[name];
    if (raw === undefined || raw === '') return { kind: 'none' };
    if (!trusted(peer)) return { kind: 'untrusted', peer: plainAddress(peer ?? 'unknown') };
    // A repeated header is ambiguous: which proxy set which one cannot be told, so none is believed.
    if (Array.isArray(raw)) return { kind: 'malformed' };
    const email = raw.trim().toLowerCase();
    if (email.length > 320 || !/^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(email)) return { kind: 'malformed' };
    return { kind: 'user', email };
  };
}

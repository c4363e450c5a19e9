import * as oidc from 'openid-client';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { redactText } from '../redact.js';
import { systemClock, type Clock } from '../types.js';
import { ROLES, type WebRole } from './users.js';

/**
 * Sign-in with an OpenID Connect provider (Microsoft Entra ID): the authorization code flow with PKCE,
 * state and nonce. The ID token's issuer, audience, signature (the provider's JWKS) and expiry are
 * checked by openid-client (panva), kept behind this small interface so the rest of the web app never
 * sees its types.
 */

/** What the browser carries from the start of a sign-in to its callback (kept on the server, never in the page). */
export interface OidcTransaction {
  /** Expected `state` of the callback. */
  state: string;
  /** Expected `nonce` of the ID token. */
  nonce: string;
  /** The PKCE code verifier. */
  verifier: string;
}

/** Who the provider signed in. */
export interface OidcIdentity {
  /** Lower-cased e-mail address (`email`, else `preferred_username`, else `upn`). */
  email: string;
  /** Values of the roles claim (Entra app roles). */
  roles: string[];
}

/** The sign-in port of the web app. */
export interface OidcSignIn {
  /** The provider's authorization URL to send the browser to, and what the callback must match. */
  start(): Promise<{ url: string; tx: OidcTransaction }>;
  /** Exchanges the callback's code and validates the ID token; AppError 'AUTH' when anything is wrong. */
  finish(callback: URL, tx: OidcTransaction): Promise<OidcIdentity>;
}

type OidcSettings = NonNullable<Config['webAuth']['oidc']>;

/** The client over openid-client. The secret is used for the token request only and removed from every message. */
export function createOidcSignIn(settings: OidcSettings, clientSecret: string, clock: Clock = systemClock): OidcSignIn {
  const issuer = new URL(settings.issuer);
  // Plain http only for a provider on this machine (the settings refuse it elsewhere).
  const insecure = issuer.protocol === 'http:';
  let server: Promise<oidc.ServerMetadata> | null = null;
  const fail = (what: string, e: unknown): AppError => {
    const reason = e instanceof Error ? `${e.message}${causeText(e)}` : String(e);
    return new AppError(`${what}: ${redactText(reason, [clientSecret])}`, 'AUTH');
  };

  /** Discovery once per process (again after a failure). */
  const metadata = (): Promise<oidc.ServerMetadata> => {
    server ??= oidc.discovery(issuer, settings.clientId, undefined, undefined, { timeout: 15, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) })
      .then((c) => c.serverMetadata())
      .catch((e: unknown) => {
        server = null;
        throw fail(`web.oidc.issuer: discovery at ${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration failed`, e);
      });
    return server;
  };

  /**
   * A configuration per use, so the ID token's exp/iat are judged by our clock (the skew is the difference
   * between it and the system's; 0 outside tests), and the signature is always checked against the JWKS.
   */
  const configuration = async (): Promise<oidc.Configuration> => {
    const skew = Math.round((clock.now() - systemClock.now()) / 1000);
    const c = new oidc.Configuration(await metadata(), settings.clientId, { [oidc.clockSkew]: skew, [oidc.clockTolerance]: 60 }, oidc.ClientSecretPost(clientSecret));
    c.timeout = 15;
    if (insecure) oidc.allowInsecureRequests(c);
    // The token comes over TLS from the provider itself, but checking its signature too costs one cached JWKS read.
    oidc.enableNonRepudiationChecks(c);
    return c;
  };

  return {
    async start() {
      const c = await configuration();
      const tx: OidcTransaction = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(c, {
        redirect_uri: settings.redirectUri,
        scope: 'openid profile email',
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(tx.verifier),
        code_challenge_method: 'S256',
        state: tx.state,
        nonce: tx.nonce,
      });
      return { url: url.href, tx };
    },
    async finish(callback, tx) {
      const c = await configuration();
      // The token request must name the registered redirect URI exactly, whatever address the callback reached us on.
      const current = new URL(settings.redirectUri);
      current.search = callback.search;
      let claims: oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(c, current, { pkceCodeVerifier: tx.verifier, expectedState: tx.state, expectedNonce: tx.nonce });
        claims = tokens.claims();
      } catch (e) {
        throw fail('sign-in with the identity provider refused', e);
      }
      if (!claims) throw new AppError('sign-in with the identity provider refused: the token answer has no ID token', 'AUTH');
      const email = [claims.email, claims.preferred_username, claims.upn].find((v): v is string => typeof v === 'string' && v.includes('@'));
      if (!email) throw new AppError('sign-in with the identity provider refused: the ID token names no e-mail address (claims email, preferred_username, upn); add the optional claim "email" to the app registration', 'AUTH');
      const raw = claims[settings.rolesClaim];
      const roles = Array.isArray(raw) ? raw.filter((r): r is string => typeof r === 'string') : typeof raw === 'string' ? [raw] : [];
      return { email: email.trim().toLowerCase(), roles };
    },
  };
}

/**
 * The provider's own words (an OAuth error and its description, such as Entra's "AADSTS7000215: Invalid
 * client secret provided") and the causes openid-client chains (the reason a check failed is often one
 * level down). The caller removes the client secret: a provider may quote what it was sent.
 */
function causeText(e: Error): string {
  const parts: string[] = [];
  const body = e as Error & { error?: unknown; error_description?: unknown };
  if (typeof body.error === 'string') parts.push(`${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 500)}` : ''}`);
  let c: unknown = e.cause;
  for (let i = 0; i < 3 && c; i++) {
    if (c instanceof Error) parts.push(c.message);
    else if (c && typeof c === 'object' && 'error' in c) parts.push(String((c as { error: unknown }).error));
    c = c instanceof Error ? c.cause : null;
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}

const RANK: Record<WebRole, number> = { technician: 0, viewer: 1, manager: 2, admin: 3 };

/** The role the mapping gives: the highest mapped app role, else the default role, else null (no access). */
export function mappedRole(roles: readonly string[], roleMap: Readonly<Record<string, WebRole>>, defaultRole: WebRole | null): WebRole | null {
  let best: WebRole | null = null;
  for (const r of roles) {
    const m = roleMap[r];
    if (m && (ROLES as readonly string[]).includes(m) && (best === null || RANK[m] > RANK[best])) best = m;
  }
  return best ?? defaultRole;
}

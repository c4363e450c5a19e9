import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/**
 * A minimal OpenID Connect provider over real HTTP on 127.0.0.1, shaped like Entra ID (issuer
 * `<origin>/<tenant>/v2.0`): discovery, JWKS, an authorize endpoint that signs the configured user in at
 * once and redirects back with a code, and a token endpoint that checks the client secret, the redirect
 * URI and the PKCE verifier and answers an RS256 ID token. Tests change `user` and `tamper` to shape the
 * next ID token.
 */

/** Changes to the next ID token (and what signs it). */
export interface Tamper {
  aud?: string;
  iss?: string;
  nonce?: string;
  /** Seconds added to exp (negative: expired). */
  expIn?: number;
  /** Sign with a key that is not in the JWKS. */
  foreignKey?: boolean;
  /** The token endpoint fails and echoes the client secret it was sent (a careless provider). */
  echoSecret?: boolean;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The user the next sign-in stands for. */
  user: { email: string; roles?: string[] };
  tamper: Tamper;
  /** The provider's clock (ms), for iat/exp. */
  now: () => number;
  /** Token requests seen (form fields). */
  tokenRequests: Record<string, string>[];
  /** The redirect URI the client is registered with. */
  redirectUri: string;
  /** Show a page with a link back (as Entra's sign-in page) instead of redirecting at once. */
  interactive: boolean;
  close(): Promise<void>;
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function sign(claims: Record<string, unknown>, key: crypto.KeyObject, kid: string): string {
  const head = b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64u(JSON.stringify(claims));
  const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64u(sig)}`;
}

/** A free TCP port of 127.0.0.1 (the web app's redirect URI must be known before it listens). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startOidcProvider(o: { redirectUri: string; now: () => number }): Promise<TestOidcProvider> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const kid = 'test-key-1';
  const tenant = '11111111-2222-3333-4444-555555555555';
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string; email: string; roles?: string[] }>();
  const p: TestOidcProvider = {
    issuer: '', clientId: 'app-client-id-42', clientSecret: 'Xy9~test-client-secret-value.0123456789',
    user: { email: 'someone@msp.example' }, tamper: {}, now: o.now, tokenRequests: [], redirectUri: o.redirectUri, interactive: false,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', p.issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    const base = `/${tenant}/v2.0`;
    if (url.pathname === `${base}/.well-known/openid-configuration`) {
      return json(200, {
        issuer: p.issuer,
        authorization_endpoint: `${p.issuer}/oauth2/authorize`,
        token_endpoint: `${p.issuer}/oauth2/token`,
        jwks_uri: `${p.issuer}/discovery/keys`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'profile', 'email'],
      });
    }
    if (url.pathname === `${base}/discovery/keys`) {
      return json(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
    }
    if (url.pathname === `${base}/oauth2/authorize`) {
      const q = url.searchParams;
      if (q.get('client_id') !== p.clientId || q.get('redirect_uri') !== p.redirectUri || q.get('response_type') !== 'code'
        || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state') || !q.get('nonce')) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad authorization request');
        return;
      }
      const code = crypto.randomBytes(16).toString('hex');
      codes.set(code, { nonce: q.get('nonce')!, challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')!, ...p.user });
      const back = `${p.redirectUri}?code=${code}&state=${encodeURIComponent(q.get('state')!)}`;
      // Entra shows its own page first; leaving it is a navigation started by the provider's site.
      if (p.interactive) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Sign in</title><a id="continue" href="${back.replace(/&/g, '&amp;')}">Continue as ${p.user.email}</a>`);
        return;
      }
      res.writeHead(302, { location: back }).end();
      return;
    }
    if (url.pathname === `${base}/oauth2/token` && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = Object.fromEntries(new URLSearchParams(body));
        p.tokenRequests.push(f);
        if (p.tamper.echoSecret) return json(400, { error: 'invalid_client', error_description: `client_secret ${f.client_secret} is not accepted` });
        const grant = codes.get(f.code ?? '');
        codes.delete(f.code ?? '');
        if (f.grant_type !== 'authorization_code' || !grant) return json(400, { error: 'invalid_grant' });
        if (f.client_id !== p.clientId || f.client_secret !== p.clientSecret) return json(401, { error: 'invalid_client' });
        if (f.redirect_uri !== grant.redirectUri) return json(400, { error: 'invalid_grant', error_description: 'redirect_uri' });
        if (b64u(crypto.createHash('sha256').update(f.code_verifier ?? '').digest()) !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE' });
        const t = p.tamper;
        const iat = Math.floor(p.now() / 1000);
        const claims: Record<string, unknown> = {
          iss: t.iss ?? p.issuer, aud: t.aud ?? p.clientId, sub: `sub-${grant.email}`, iat, nbf: iat,
          exp: iat + (t.expIn ?? 3600), nonce: t.nonce ?? grant.nonce, tid: tenant,
          email: grant.email, preferred_username: grant.email, name: 'Test User', ...(grant.roles ? { roles: grant.roles } : {}),
        };
        return json(200, { token_type: 'Bearer', access_token: crypto.randomBytes(16).toString('hex'), expires_in: 3600, scope: 'openid profile email', id_token: sign(claims, t.foreignKey ? foreign : privateKey, kid) });
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  // "localhost", not 127.0.0.1: another site than the web app's, as Entra is, so the browser applies its cross-site cookie rules.
  p.issuer = `http://localhost:${port}/${tenant}/v2.0`;
  p.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return p;
}

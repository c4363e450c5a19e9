/**
 * The one place secrets are removed from text meant for people: URLs with credentials (SMTP_URL, a base
 * URL someone pasted with a password) and known secret values in messages that came from elsewhere (an
 * SMTP server's reply, an HTTP error body). Every message, log line and stored error goes through these.
 */

/** What stands in for a removed secret. */
export const REDACTED = '***';

/** The parts of `scheme://[userinfo@]host…` with the userinfo split off; null when there is no `scheme://`. */
export interface UrlParts {
  /** Scheme with `://` (`smtp://`). */
  scheme: string;
  /** Everything between `//` and the last `@` before the host, raw (still percent-encoded); null without `@`. */
  userinfo: string | null;
  /** The rest: host, port, path, query. */
  rest: string;
}

/**
 * Splits a URL at its userinfo. A password may hold `/`, `?`, `#`, `@` or `%` unencoded (SES and SendGrid
 * keys often hold `/`), which WHATWG `new URL` either rejects or reads as the path: here the userinfo ends
 * at the LAST `@`, so no part of such a password is ever taken for the host or the path.
 */
export function splitUrl(url: string): UrlParts | null {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(url);
  if (!m) return null;
  const scheme = m[1]!;
  const after = url.slice(scheme.length);
  const at = after.lastIndexOf('@');
  if (at < 0) return { scheme, userinfo: null, rest: after };
  return { scheme, userinfo: after.slice(0, at), rest: after.slice(at + 1) };
}

/** Percent-decodes, keeping the text as it is where it is not valid percent-encoding (a literal `%`). */
export function decodeLoose(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A URL safe to print: the password becomes `***` (the user name stays, to tell accounts apart); userinfo
 * without a `:` (a token used as the user name) is removed whole. Text that is not a `scheme://` URL but
 * holds an `@` loses everything before the last `@`.
 */
export function redactUrl(url: string): string {
  const parts = splitUrl(url);
  if (!parts) {
    const at = url.lastIndexOf('@');
    return at < 0 ? url : `${REDACTED}@${url.slice(at + 1)}`;
  }
  if (parts.userinfo === null) return url;
  const colon = parts.userinfo.indexOf(':');
  const user = colon < 0 ? REDACTED : `${parts.userinfo.slice(0, colon)}:${REDACTED}`;
  return `${parts.scheme}${user}@${parts.rest}`;
}

/** The forms a secret can take in text that reached us: as is, percent-encoded, base64 (SMTP AUTH LOGIN). */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), Buffer.from(secret, 'utf8').toString('base64')]);
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Removes every given secret (and its encoded forms) and the userinfo of every URL from a message that came
 * from elsewhere (a server's reply, an exception). `extra` are whole strings to remove as they are, such as
 * the base64 of an AUTH PLAIN blob.
 */
export function redactText(text: string, secrets: readonly (string | undefined | null)[], extra: readonly string[] = []): string {
  let out = text;
  const forms = [...secrets.filter((s): s is string => Boolean(s)).flatMap(secretForms), ...extra.filter(Boolean)].sort((a, b) => b.length - a.length);
  for (const f of forms) out = out.split(f).join(REDACTED);
  // URLs with credentials inside the text: the password part up to the last `@` of the word.
  return out.replace(/\b([a-z][a-z0-9+.-]*:\/\/)(\S*)@(?=\S)/gi, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon < 0 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`}@`;
  });
}

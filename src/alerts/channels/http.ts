import { redactText } from '../../redact.js';
import { ChannelError } from './types.js';

/**
 * One JSON POST to a webhook URL. The URL is a secret (whoever has it can post into the channel): errors
 * name the channel, never the URL, and anything the server says back has the URL removed before it is kept.
 */
export async function postJson(name: string, url: string, body: string, headers: Record<string, string>, opts: { signal: AbortSignal; timeoutMs?: number; now?: () => number }): Promise<{ response: string }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
      redirect: 'error',
      signal: AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs ?? 15_000)]),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new ChannelError(`${name}: no answer (${cause})`, true);
  }
  const text = redactText((await res.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' '), [url]);
  if (res.status >= 200 && res.status < 300) return { response: `HTTP ${res.status}${text ? ` ${text.slice(0, 100)}` : ''}` };
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'), opts.now?.() ?? performance.timeOrigin + performance.now());
  // 429 and 5xx may pass; 408 too. Any other 4xx (a deleted workflow answers 404) will not fix itself.
  const transient = res.status === 429 || res.status === 408 || res.status >= 500;
  throw new ChannelError(`${name}: HTTP ${res.status}${text ? `: ${text}` : ''}`, transient, retryAfter, res.status);
}

/** Retry-After in ms: seconds, or an HTTP date relative to `now`; null when absent or unreadable. */
export function parseRetryAfter(v: string | null, now: number): number | null {
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : null;
}

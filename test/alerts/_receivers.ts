import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Got {
  /** Path and query. */
  url: string;
  /** Lower-cased headers. */
  headers: IncomingMessage['headers'];
  /** Raw body. */
  body: string;
  /** Status answered. */
  status: number;
}

/** A real HTTP receiver on 127.0.0.1 (a Teams workflow, a Slack webhook, a JSON endpoint) with scripted answers. */
export interface Receiver {
  /** Its URL (a webhook URL with a secret-looking path). */
  url: string;
  /** Every request, in order. */
  got: Got[];
  /** Requests answered 2xx. */
  accepted(): Got[];
  /** Answers for the next requests, in order (then 200). */
  script: { status: number; headers?: Record<string, string>; body?: string }[];
  /** Milliseconds to wait before answering (a slow channel; default 0). */
  delayMs: number;
  /** Stops it. */
  close(): Promise<void>;
}

export async function startReceiver(pathName = '/workflows/abc123/triggers/manual/paths/invoke?sig=SECRETSIG'): Promise<Receiver> {
  const got: Got[] = [];
  const r: Partial<Receiver> = { got, script: [], delayMs: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (r.delayMs) await new Promise((w) => setTimeout(w, r.delayMs));
      const next = r.script!.shift() ?? { status: 200, body: '1' };
      got.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: next.status });
      res.writeHead(next.status, { 'content-type': 'text/plain', ...(next.headers ?? {}) });
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${port}${pathName}`;
  r.accepted = () => got.filter((g) => g.status >= 200 && g.status < 300);
  r.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return r as Receiver;
}

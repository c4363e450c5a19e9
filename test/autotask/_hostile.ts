// A hostile Autotask for tests: a proxy in front of the real simulator that rewrites chosen answers, and a
// canary server on another port that must never be asked anything (it stands for a third party's host).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Simulator } from '../../src/simulator/server.js';

/** One request as the proxy saw it. */
export interface Seen {
  method: string;
  /** Path and query. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * What the proxy does with a request: `undefined` passes it to the simulator unchanged; a function answers
 * it itself (302, a hang, an endless body…); `{ rewrite }` passes it on and rewrites the simulator's body.
 */
export type Plan = undefined | ((res: ServerResponse, req: IncomingMessage) => void) | { rewrite: (body: string) => string };

/** A rule decides the plan per request; `n` counts the requests matching the same path pattern before. */
export type Rule = (seen: Seen) => Plan;

export interface Server {
  origin: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: http.Server; port: number; sockets: Set<Socket> }> {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

function closer(server: http.Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
}

/** A server that records every request and answers 200 `{}`: it must receive nothing. */
export async function startCanary(): Promise<Server> {
  const seen: Seen[] = [];
  const { server, port, sockets } = await listen((req, res) => {
    seen.push({ method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items":[],"pageDetails":{"nextPageUrl":null}}');
  });
  return { origin: `http://127.0.0.1:${port}`, port, seen, close: closer(server, sockets) };
}

export interface Proxy extends Server {
  /** REST base through the proxy. */
  baseUrl: string;
  /** Zone discovery base through the proxy. */
  zoneUrl: string;
  /** Replaces the rule. */
  rule: Rule;
}

/** A proxy on 127.0.0.1 in front of `sim`; its rule may rewrite or replace any answer. */
export async function startProxy(sim: Simulator, rule: Rule = () => undefined): Promise<Proxy> {
  const seen: Seen[] = [];
  const target = new URL(sim.origin);
  const proxy = { rule } as Proxy;
  const { server, port, sockets } = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? 'GET', url: req.url ?? '', headers: req.headers };
      seen.push(s);
      const plan = proxy.rule(s);
      if (typeof plan === 'function') return plan(res, req);
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (ur) => {
        const body: Buffer[] = [];
        ur.on('data', (c: Buffer) => body.push(c));
        ur.on('end', () => {
          let text = Buffer.concat(body).toString('utf8');
          // The simulator names its own origin in links; through the proxy they name the proxy.
          text = text.split(sim.origin).join(proxy.origin + '/');
          if (plan) text = plan.rewrite(text);
          const headers = { ...ur.headers };
          delete headers['content-length'];
          res.writeHead(ur.statusCode ?? 502, { ...headers, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        });
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  Object.assign(proxy, {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    baseUrl: `http://127.0.0.1:${port}/ATServicesRest/`,
    zoneUrl: `http://127.0.0.1:${port}/atservicesrest/`,
    close: closer(server, sockets),
  });
  return proxy;
}

/** Whether a request is the first page of `entity`'s query (not a next link, not a count). */
export function isQuery(s: Seen, entity: string): boolean {
  return new RegExp(`/V1\\.0/${entity}/query(\\?|$)`, 'i').test(s.url);
}

/** Whether a request follows a next link of `entity`. */
export function isNext(s: Seen, entity: string): boolean {
  return new RegExp(`/V1\\.0/${entity}/query/next`, 'i').test(s.url);
}

/** The credential headers a request carried (names only). */
export function credentialHeaders(s: Seen): string[] {
  return ['secret', 'username', 'apiintegrationcode'].filter((h) => s.headers[h] !== undefined);
}

import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

/** A fixed simulated now: Thursday 15 October 2026, 12:00 UTC. */
export const NOW = Date.UTC(2026, 9, 15, 12, 0, 0);

/** Starts a tiny simulator at NOW unless told otherwise. */
export function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ seed: 42, scale: 'tiny', now: NOW, ...opts });
}

/** The three auth headers plus JSON content type. */
export function headers(sim: Simulator, over: Record<string, string> = {}): Record<string, string> {
  return {
    ApiIntegrationCode: sim.credentials.integrationCode,
    UserName: sim.credentials.username,
    Secret: sim.credentials.secret,
    'Content-Type': 'application/json',
    ...over,
  };
}

/** Answer of one HTTP call: status and parsed JSON (or raw text when not JSON). */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

async function answer(r: Response): Promise<Answer> {
  const text = await r.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: r.status, body, text };
}

/** POST `<base>V1.0/<path>` with a JSON body. */
export async function post(sim: Simulator, path: string, body: unknown, h: Record<string, string> = headers(sim)): Promise<Answer> {
  return answer(await fetch(`${sim.baseUrl}V1.0/${path}`, { method: 'POST', headers: h, body: JSON.stringify(body) }));
}

/** GET `<base>V1.0/<path>`. */
export async function get(sim: Simulator, path: string, h: Record<string, string> = headers(sim)): Promise<Answer> {
  return answer(await fetch(`${sim.baseUrl}V1.0/${path}`, { headers: h }));
}

/** Any method on an absolute URL. */
export async function call(url: string, init: RequestInit): Promise<Answer> {
  return answer(await fetch(url, init));
}

/** Runs a POST query and follows nextPageUrl with POST and the same body; returns all items and the page count. */
export async function queryAll(sim: Simulator, entity: string, body: unknown): Promise<{ items: Record<string, unknown>[]; pages: number }> {
  const items: Record<string, unknown>[] = [];
  let pages = 0;
  let r = await post(sim, `${entity}/query`, body);
  for (;;) {
    if (r.status !== 200) throw new Error(`query ${entity}: ${r.status} ${r.text}`);
    pages++;
    items.push(...r.body.items);
    const next = r.body.pageDetails.nextPageUrl as string | null;
    if (!next) break;
    r = await call(next, { method: 'POST', headers: headers(sim), body: JSON.stringify(body) });
  }
  return { items, pages };
}

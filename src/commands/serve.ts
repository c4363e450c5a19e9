import { systemClock, type Clock } from '../types.js';
import { openStore, loadRegistry } from '../app.js';
import { AppError } from '../errors.js';
import type { CommandIO } from './types.js';
import type { Command } from './types.js';
import type { Config } from '../config.js';
import type { WebServer } from '../web/server.js';

/** Validates --host/--port (shared by serve and daemon --serve). */
export function listenOptions(values: Record<string, unknown>): { host: string; port: number } {
  const host = values.host === undefined ? '127.0.0.1' : String(values.host);
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError(`--port: "${String(values.port)}" is not a port number (0–65535)`, 'USAGE');
  if (!host.trim()) throw new AppError('--host: give an address to listen on, such as 127.0.0.1', 'USAGE');
  return { host, port };
}

/** Starts the web app on its own store connection; the caller closes the returned server. */
export async function startServe(cfg: Config, io: CommandIO, o: { host: string; port: number }, clock: Clock = systemClock): Promise<WebServer & { closeAll(): Promise<void> }> {
  loadRegistry();
  const db = openStore(cfg);
  try {
    const { startWebServer } = await import('../web/server.js');
    const server = await startWebServer({ cfg, db, io, clock, host: o.host, port: o.port, warmPollMs: 5000 });
    return { ...server, async closeAll() { await server.close(); db.close(); } };
  } catch (e) {
    db.close();
    throw e;
  }
}

const command: Command = {
  name: 'serve',
  summary: 'the web app: every report for any period, the board, scorecards, schedules and history in a browser',
  usage: '[--host 127.0.0.1] [--port 8080]',
  description: `
Serves the web app: an overview of every group's measures, every report for any period (PDF, CSV and JSON
downloads), the board (open backlog, redrawn after every sync), each technician's scorecard, schedules
(preview as a recipient, send a test to yourself, send now), the run history (re-send to the failed
recipients only) and the sync status. GET /health answers {lastSyncAt, daemon} without signing in;
GET /api/reports/<group>/<name>?as-of=&from=&to=&window= answers what "run <id> --format json" prints.

It listens on 127.0.0.1 by default. Another address is refused while the store has no user and no other
sign-in method is configured (web.oidc: Microsoft Entra ID; web.proxyAuth: a trusted proxy's header): add
the first admin with "psa-reports users add you@msp.example --role admin --password-stdin". To reach it from other
machines, put a reverse proxy with TLS in front of it (see the README); cookies are then marked Secure.

Examples:
  psa-reports serve
  psa-reports serve --port 8443 --host 127.0.0.1
  psa-reports daemon --serve           # schedules and the web app in one process`,
  options: [
    { name: 'host', type: 'string', arg: '<address>', help: 'address to listen on (default 127.0.0.1; another one needs a user first)' },
    { name: 'port', type: 'string', arg: '<port>', help: 'TCP port (default 8080)' },
  ],
  async run(args, { io, loadConfig, clock }) {
    const o = listenOptions(args.values);
    const cfg = loadConfig();
    const server = await startServe(cfg, io, o, clock);
    io.err(`psa-reports serve: listening on ${server.url} (store ${cfg.db})`);
    const sig = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    io.err(`psa-reports serve: ${sig}, stopping`);
    await server.closeAll();
    return 0;
  },
};
export default command;

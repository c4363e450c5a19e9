// Container health check (no shell, no curl in the image).
//   node healthcheck.mjs daemon       exit 0 when a daemon renewed its lock in the store within 2 minutes
//   node healthcheck.mjs web [port]   exit 0 when the web server's /health answers 200
import { createRequire } from 'node:module';

const mode = process.argv[2] ?? 'daemon';
try {
  if (mode === 'web') {
    const port = Number(process.argv[3] ?? process.env.PSA_REPORTS_PORT ?? 8080);
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(8000) });
    if (!res.ok) throw new Error(`/health answered HTTP ${res.status}`);
  } else {
    const require = createRequire(new URL('../package.json', import.meta.url));
    const Database = require('better-sqlite3');
    const db = new Database(process.env.PSA_REPORTS_DB ?? '/var/lib/psa-reports/psa-reports.db', { readonly: true, fileMustExist: true });
    const row = db.prepare("SELECT max(heartbeat_at) AS at FROM daemon_lock").get();
    db.close();
    const age = Date.now() - (row?.at ?? 0);
    if (age > 120_000) throw new Error(`no daemon heartbeat for ${Math.round(age / 1000)} s`);
  }
  process.exit(0);
} catch (e) {
  console.error(`unhealthy: ${e.message}`);
  process.exit(1);
}

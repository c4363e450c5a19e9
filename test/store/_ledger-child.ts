// A separate process taking requests from a store's ledger (test/store/request-ledger.test.ts spawns it
// with vite-node): waits for "go" on stdin, then tries `tries` takes against `allowed` and prints how many
// were granted.
import { openDb } from '../../src/store/db.js';
import { storeLedger } from '../../src/store/request-ledger.js';

const [file, allowed, tries] = process.argv.slice(2);
const db = openDb(file!);
const ledger = storeLedger(db);
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  let granted = 0;
  for (let i = 0; i < Number(tries); i++) {
    if (ledger.take(Date.now(), Number(allowed)).ok) granted++;
    // A breath between takes, so the processes' takes interleave rather than run one process after another.
    await new Promise((r) => setTimeout(r, 1));
  }
  db.close();
  process.stdout.write(`granted ${granted}\n`);
  process.exit(0);
});

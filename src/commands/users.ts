import { openStore } from '../app.js';
import { AppError } from '../errors.js';
import { ROLES, Users } from '../web/users.js';
import type { Command } from './types.js';

/** Reads all of standard input (the password, without its final newline). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const command: Command = {
  name: 'users',
  summary: 'add, list or remove users of the web app (psa-reports serve)',
  usage: 'add <email> --role admin|manager|viewer|technician [--password-stdin]\n       psa-reports users list\n       psa-reports users remove <email>',
  description: `
Users of the web app live in the store (--db). Roles: admin (everything), manager (also sends tests, sends
schedules now and re-sends failed deliveries), viewer (reads every page), technician (their own scorecard
and the board; their address must be their Autotask resource's e-mail address).

There is no default user and no default password. Until a user exists, "serve" listens on 127.0.0.1 only.
The password (12 characters or more) is read from standard input (--password-stdin, required for add), so
it is never on the command line or in the shell history. Adding an existing address changes its role and password and signs it out.
People who sign in with Microsoft (web.oidc) or through a proxy header (web.proxyAuth) without being added
here are made users at sign-in from the role mapping and listed "via …"; adding them here makes their role yours.

Examples:
  read -rs PW; printf '%s' "$PW" | psa-reports users add you@msp.example --role admin --password-stdin
  printf '%s' "$PASSWORD" | psa-reports users add tech@msp.example --role technician --password-stdin
  psa-reports users list
  psa-reports users remove tech@msp.example`,
  options: [
    { name: 'role', type: 'string', arg: '<role>', help: `with add: ${ROLES.join(' | ')}` },
    { name: 'password-stdin', type: 'boolean', help: 'with add: read the password from standard input (required)' },
  ],
  async run(args, { io, loadConfig, clock }) {
    const [action, email, ...extra] = args.positionals;
    if (!action || !['add', 'list', 'remove'].includes(action)) throw new AppError(`users: name an action: add, list or remove. Try: psa-reports users --help`, 'USAGE');
    if (extra.length) throw new AppError(`users ${action}: unexpected "${extra.join(' ')}"`, 'USAGE');
    if (action !== 'list' && !email) throw new AppError(`users ${action}: give the user's e-mail address`, 'USAGE');
    if (action === 'add' && args.values.role === undefined) throw new AppError(`users add: --role is required (${ROLES.join(', ')})`, 'USAGE');
    const cfg = loadConfig();
    const db = openStore(cfg);
    try {
      const users = new Users(db);
      if (action === 'list') {
        const all = users.list();
        if (!all.length) io.out('No users. Add the first admin: psa-reports users add you@msp.example --role admin');
        for (const u of all) io.out(`${u.email}\t${u.role}\tadded ${new Date(u.createdAt).toISOString().slice(0, 10)}${u.source === 'oidc' ? '\tvia Microsoft sign-in' : u.source === 'proxy' ? '\tvia the proxy header' : ''}`);
        return 0;
      }
      if (action === 'remove') {
        if (!users.remove(email!)) throw new AppError(`users remove: no user "${email}". See: psa-reports users list`, 'USAGE');
        io.out(`removed ${email!.trim().toLowerCase()}`);
        return 0;
      }
      // No generated password printed to a terminal or a log: the operator chooses it and pipes it in.
      if (!args.values['password-stdin']) throw new AppError('users add: give the password on standard input with --password-stdin (e.g. read -rs PW; printf \'%s\' "$PW" | psa-reports users add … --password-stdin)', 'USAGE');
      const u = users.add(email!, String(args.values.role), await readStdin(), clock.now());
      io.out(`${u.email}: ${u.role}`);
      return 0;
    } finally {
      db.close();
    }
  },
};
export default command;

// Runs the real CLI from source in a child process (tests spawn it with vite-node).
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv.slice(2));

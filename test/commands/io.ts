import type { CommandIO } from '../../src/commands/types.js';

/** A captured CommandIO: what a command printed, for assertions. */
export function captureIO(cwd: string, env: NodeJS.ProcessEnv = {}): CommandIO & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (s) => { out.push(s); },
    err: (s) => { err.push(s); },
    isTTY: false,
    env,
    cwd,
    stdout: () => out.join('\n'),
    stderr: () => err.join('\n'),
  };
}

import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file whole or not at all: into a temporary name beside it, then renamed over the target, so a
 * crash never leaves a half-written report or message where a reader would take it for complete.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

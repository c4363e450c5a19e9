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

/**
 * Watches a file by its modification time, size and inode, checked when called (the caller's loop decides
 * when): returns `load()` after a change, null when unchanged, and throws what `load` throws for an invalid
 * edit — once per edit: the same bad file is not reported again until it changes.
 */
export function watchFile<T>(file: string, load: () => T, initial?: fs.Stats | null): () => T | null {
  const sig = (st: fs.Stats | null): string => (st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'missing');
  const stat = (): fs.Stats | null => {
    try {
      return fs.statSync(file);
    } catch {
      return null;
    }
  };
  let seen = sig(initial === undefined ? stat() : initial);
  return () => {
    const now = sig(stat());
    if (now === seen) return null;
    seen = now;
    return load();
  };
}

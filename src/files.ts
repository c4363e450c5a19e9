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

/**
 * Why `file` cannot be started as a program ("does not exist", "is a folder…"), or null when it can:
 * checked before a launch, because a
 * failed start of a child process is reported as an `error` event that nothing may be listening to.
 */
export function executableProblem(file: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`;
  }
  if (st.isDirectory()) return 'is a folder, not a program';
  if (!st.isFile()) return 'is not a regular file';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return 'is not executable (no execute permission for this user)';
  }
  // Root passes the access check on any x bit; the kernel then still wants one.
  if ((st.mode & 0o111) === 0) return 'is not executable (no execute permission)';
  return null;
}

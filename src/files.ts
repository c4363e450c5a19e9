import fs from 'node:fs';
import path from 'node:path';
import { AppError } from './errors.js';

/**
 * Throws unless `file` is absent or a regular file. A rename over a symbolic link, a named pipe, a socket
 * or a device replaces it with our file (as root, /dev/full was replaced); a folder is no file to write.
 */
export function refuseNonRegular(file: string, label?: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new AppError(`${label ? `${label}: ` : ''}${file} cannot be written (${code ?? (e as Error).message}). Give a path in a folder you may write to.`, label ? 'USAGE' : 'CONFIG', { cause: e, details: { file } });
  }
  const kind = st.isSymbolicLink() ? 'a symbolic link'
    : st.isDirectory() ? 'a folder'
      : st.isFIFO() ? 'a named pipe'
        : st.isSocket() ? 'a socket'
          : st.isCharacterDevice() || st.isBlockDevice() ? 'a device'
            : st.isFile() ? null : 'not a regular file';
  if (!kind) return;
  throw new AppError(
    `${label ? `${label}: ` : ''}${file} is ${kind}; psa-reports writes only regular files and replaces nothing else. Give a new file name (or an existing regular file to overwrite).`,
    label ? 'USAGE' : 'CONFIG', { details: { file } },
  );
}

/**
 * Writes a file whole or not at all: into a temporary name beside it, then renamed over the target, so a
 * crash never leaves a half-written report or message where a reader would take it for complete.
 * Only a regular file is ever replaced (see `refuseNonRegular`); `label` names the option that gave the
 * path (`--out`) in the error, which is then a usage error.
 */
export function writeFileAtomic(file: string, content: string | Buffer, opts: { label?: string } = {}): void {
  refuseNonRegular(file, opts.label);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    // 'wx': a name that appeared meanwhile (a link planted at it) is not followed.
    fs.writeFileSync(tmp, content, { flag: 'wx' });
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

import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A data folder already owned by another running gateway. */
export class DataDirInUseError extends Error {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    const shown = relative(process.cwd(), dataDir) || '.';
    super(`a gateway (pid ${pid}) is already using ${shown.startsWith('..') ? dataDir : `${shown}/`}; stop it or set DATA_DIR`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A pid reused by an unrelated program after a crash does not hold the folder.
  const cmdline = `/proc/${pid}/cmdline`;
  return !existsSync(cmdline) || /node/.test(readFileSync(cmdline, 'utf8'));
}

/**
 * Takes the data folder for this process with an exclusively created `gateway.pid`, before the
 * embedded PostgreSQL in it is touched. A second gateway on the same folder is refused at once;
 * a lock left by a killed gateway (its process gone) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = join(dataDir, 'gateway.pid');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (Number(readFileSync(file, 'utf8').trim()) === process.pid) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, 'utf8').trim());
    } catch {
      continue; // removed meanwhile: try again
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) throw new DataDirInUseError(owner, dataDir);
    try {
      unlinkSync(file); // stale: its gateway was killed
    } catch {
      // another starter took it over first; the next attempt sees its pid
    }
  }
  throw new Error(`Could not take ${file}`);
}

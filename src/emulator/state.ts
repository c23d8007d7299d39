/**
 * The emulator's `--state FILE`: every provider's snapshot in one JSON document, read at start and written
 * after every change. A write never leaves a torn file behind: the document goes to a temporary file in the
 * same directory, is flushed to disk (fsync), and then renamed over the old one, which a rename does
 * atomically on one file system. A process killed mid-write leaves the previous complete file (and at worst
 * a stray temporary file, which the next load ignores and removes).
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The document kept in the state file. */
export interface EmulatorStateFile {
  version: 1;
  savedAt: string;
  /** Each provider's `snapshot()`, by provider name. */
  providers: Record<string, unknown>;
}

/** Why the state file cannot be used; the emulator refuses to start rather than overwrite it. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateFileError';
  }
}

/** The saved snapshots, or undefined when the file does not exist yet. */
export function loadState(file: string): EmulatorStateFile | undefined {
  removeStrayTemps(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(
      `The state file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch {
    throw new StateFileError(`The state file ${file} is not valid JSON.`);
  }
  if (
    typeof data !== 'object' ||
    data === null ||
    (data as Record<string, unknown>).version !== 1 ||
    typeof (data as Record<string, unknown>).providers !== 'object' ||
    (data as Record<string, unknown>).providers === null
  ) {
    throw new StateFileError(`The state file ${file} is not an emulator state file (version 1).`);
  }
  return data as EmulatorStateFile;
}

let sequence = 0;

/** Writes the snapshots atomically: temporary file, fsync, rename, then fsync of the directory. */
export function saveState(file: string, providers: Record<string, unknown>): void {
  const document: EmulatorStateFile = { version: 1, savedAt: new Date().toISOString(), providers };
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${++sequence}.tmp`);
  // The file holds signing secrets (contract §Security): readable by its owner only.
  const fd = openSync(temp, 'w', 0o600);
  try {
    const bytes = Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  // The rename itself is durable only once the directory entry is flushed; some platforms refuse this.
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Directory fsync is best effort (not supported on every file system).
  }
}

/** Temporary files that a killed emulator left next to the state file. */
function removeStrayTemps(file: string): void {
  const prefix = `.${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      rmSync(join(dirname(file), name), { force: true });
    }
  }
}

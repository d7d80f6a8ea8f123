// The few file-system calls the store makes, behind a contract so tests can inject the failures
// a real disk produces rarely (ENOSPC, EROFS, a kill between write and rename).
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FileSystem {
  /** Creates the folder and its parents; `mode` applies only to folders it creates. */
  mkdir(dir: string, mode: number): Promise<void>;
  readFile(path: string): Promise<Buffer>;
  stat(path: string): Promise<{ size: number }>;
  /** Creates (or with `exclusive: false` truncates) the file, writes all of `data`, fsyncs, closes. */
  writeFileSynced(path: string, data: Uint8Array, options: { mode: number; exclusive: boolean }): Promise<void>;
  /** Appends all of `data` to the file (creating it with `mode`), fsyncs its data, closes. */
  appendFileSynced(path: string, data: Uint8Array, options: { mode: number }): Promise<void>;
  /** Cuts the file to `length` bytes and fsyncs it. */
  truncateSynced(path: string, length: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Hard link; fails with EEXIST when `to` exists, which makes it an atomic exclusive create. */
  link(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  /** Makes a rename inside `dir` durable. */
  fsyncDir(dir: string): Promise<void>;
}

export const nodeFileSystem: FileSystem = {
  async mkdir(dir, mode) {
    await mkdir(dir, { recursive: true, mode });
  },
  readFile: (path) => readFile(path),
  stat: (path) => stat(path),
  async writeFileSynced(path, data, { mode, exclusive }) {
    const handle = await open(path, exclusive ? 'wx' : 'w', mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async appendFileSynced(path, data, { mode }) {
    const handle = await open(path, 'a', mode);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  },
  async truncateSynced(path, length) {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  link: (from, to) => link(from, to),
  unlink: (path) => unlink(path),
  readdir: (dir) => readdir(dir),
  async fsyncDir(dir) {
    let handle;
    try {
      handle = await open(dir, 'r');
      await handle.sync();
    } catch (error) {
      // Some file systems (and Windows) cannot open or fsync a folder; the rename still happened.
      if (!['EISDIR', 'EINVAL', 'ENOTSUP', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    } finally {
      await handle?.close();
    }
  },
};

export function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Writes a whole file so that a reader sees the old content or the new, never a mix: a temp file
 * beside it, fsync, rename over, fsync the folder. For files outside the state store (zone
 * backups, the sandbox's files).
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o600, fs: FileSystem = nodeFileSystem): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`;
  await fs.writeFileSynced(tmp, Buffer.from(content), { mode, exclusive: true });
  await fs.rename(tmp, path);
  await fs.fsyncDir(dirname(path));
}

// Test-only preload (NODE_OPTIONS="--import <this file>"): the disk faults root can't produce
// with chmod. It patches node:fs and node:fs/promises, then syncBuiltinESMExports() so the CLI's
// ESM named imports (`import { open } from 'node:fs/promises'`) see the patched functions.
//
//   R53M_FS_FAULT_DIR    the folder the fault applies to (the state folder)
//   R53M_FS_FAULT        erofs:  every write under the folder fails with EROFS (a read-only mount)
//                        enospc: the first R53M_FS_FAULT_AFTER state-file writes succeed; from
//                                then on, writing data to any new file under the folder fails
//                                with ENOSPC (a disk that just filled up: creating the file works,
//                                writing into it does not). The log's appends are left alone.
//   R53M_FS_FAULT_AFTER  (enospc) how many state-file checkpoints get through first
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve, sep } from 'node:path';

const dir = process.env.R53M_FS_FAULT_DIR ? resolve(process.env.R53M_FS_FAULT_DIR) : undefined;
const kind = process.env.R53M_FS_FAULT;
const after = Number(process.env.R53M_FS_FAULT_AFTER ?? '0');

if (dir && (kind === 'erofs' || kind === 'enospc')) install();

function under(p) {
  if (typeof p !== 'string' && !(p instanceof URL) && !Buffer.isBuffer(p)) return false;
  const abs = resolve(p instanceof URL ? p.pathname : String(p));
  return abs === dir || abs.startsWith(dir + sep);
}

function errno(code, syscall, path) {
  const text = { EROFS: 'read-only file system', ENOSPC: 'no space left on device' }[code];
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, errno: code === 'EROFS' ? -30 : -28, syscall, path: String(path) });
}

/** Flags that create, truncate or write. */
function writes(flags) {
  if (flags === undefined || flags === null) return false;
  if (typeof flags === 'number') return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) !== 0;
  return /[wa+]/.test(String(flags));
}

/** A checkpoint's temp file: `<name>.state.json.<pid>.<hex>.tmp` (src/state/lock.ts tempPathFor). */
const isStateTemp = (p) => /\.state\.json\.\d+\.[0-9a-f]{12}\.tmp$/.test(String(p));

let stateWrites = 0;
let full = false;

function install() {
  const p = fs.promises;
  const refuse = (syscall, ...paths) => {
    if (kind !== 'erofs') return undefined;
    const hit = paths.find((x) => under(x));
    return hit === undefined ? undefined : errno('EROFS', syscall, hit);
  };
  // mkdir of a folder that exists is fine even on a read-only mount (EEXIST comes first).
  const mkdirRefusal = (path) => (kind === 'erofs' && under(path) && !fs.existsSync(path) ? errno('EROFS', 'mkdir', path) : undefined);

  const wrapPromise = (name, syscall, pathsOf) => {
    const real = p[name];
    p[name] = async function (...args) {
      const err = refuse(syscall, ...pathsOf(args));
      if (err) throw err;
      return real.apply(this, args);
    };
  };
  const wrapSync = (name, syscall, pathsOf) => {
    const real = fs[name];
    fs[name] = function (...args) {
      const err = refuse(syscall, ...pathsOf(args));
      if (err) throw err;
      return real.apply(this, args);
    };
  };
  const wrapCallback = (name, syscall, pathsOf) => {
    const real = fs[name];
    fs[name] = function (...args) {
      const err = refuse(syscall, ...pathsOf(args));
      if (err) {
        const cb = args[args.length - 1];
        if (typeof cb === 'function') return process.nextTick(cb, err);
        throw err;
      }
      return real.apply(this, args);
    };
  };

  const first = (a) => [a[0]];
  const second = (a) => [a[1]];
  const both = (a) => [a[0], a[1]];
  for (const [name, pathsOf] of [
    ['writeFile', first],
    ['appendFile', first],
    ['rename', both],
    ['link', second],
    ['symlink', second],
    ['unlink', first],
    ['rm', first],
    ['rmdir', first],
    ['copyFile', second],
    ['truncate', first],
    ['chmod', first],
    ['utimes', first],
  ]) {
    wrapPromise(name, name, pathsOf);
    wrapCallback(name, name, pathsOf);
    wrapSync(`${name}Sync`, name, pathsOf);
  }

  // open: refused on a read-only folder when it would write; on a full disk, the state file's
  // temp files count checkpoints, and once the disk is full every new file's writes fail.
  const realOpen = p.open;
  p.open = async function (path, flags, mode) {
    if (kind === 'erofs' && under(path) && writes(flags)) throw errno('EROFS', 'open', path);
    const handle = await realOpen.call(this, path, flags, mode);
    if (kind === 'enospc' && under(path) && writes(flags)) {
      if (isStateTemp(path) && !full) {
        stateWrites += 1;
        if (stateWrites > after) full = true;
      }
      if (full) {
        const fail = async () => {
          throw errno('ENOSPC', 'write', path);
        };
        handle.writeFile = fail;
        handle.write = fail;
        handle.appendFile = fail;
      }
    }
    return handle;
  };
  const realOpenSync = fs.openSync;
  fs.openSync = function (path, flags, mode) {
    if (kind === 'erofs' && under(path) && writes(flags)) throw errno('EROFS', 'open', path);
    return realOpenSync.call(this, path, flags, mode);
  };
  const realOpenCb = fs.open;
  fs.open = function (path, flags, mode, cb) {
    const callback = [flags, mode, cb].find((x) => typeof x === 'function');
    const f = typeof flags === 'function' ? undefined : flags;
    if (kind === 'erofs' && under(path) && writes(f)) return process.nextTick(callback, errno('EROFS', 'open', path));
    return realOpenCb.apply(this, arguments);
  };
  const realMkdir = p.mkdir;
  p.mkdir = async function (path, options) {
    const err = mkdirRefusal(path);
    if (err) throw err;
    return realMkdir.call(this, path, options);
  };
  const realMkdirSync = fs.mkdirSync;
  fs.mkdirSync = function (path, options) {
    const err = mkdirRefusal(path);
    if (err) throw err;
    return realMkdirSync.call(this, path, options);
  };
  const realMkdirCb = fs.mkdir;
  fs.mkdir = function (path, ...rest) {
    const err = mkdirRefusal(path);
    const cb = rest[rest.length - 1];
    if (err && typeof cb === 'function') return process.nextTick(cb, err);
    return realMkdirCb.call(this, path, ...rest);
  };
  syncBuiltinESMExports();
}

// Shared fixtures for the state store tests: a sample run state, temp folders, a file system
// that fails on cue, dead pids, and a transpiled copy of src/state for child processes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll } from 'vitest';
import { nodeFileSystem, type FileSystem } from '../../src/state/fs.js';
import { isPidAlive } from '../../src/state/lock.js';
import { appendJournal, newRunState } from '../../src/state/run-state.js';
import type { RunState } from '../../src/state/schema.js';

export const T0 = Date.parse('2025-06-01T22:00:00.000Z');

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'r53m-state-'));
  made.push(dir);
  return dir;
}

export function sampleState(statePath: string, overrides: Partial<RunState> = {}): RunState {
  const base = newRunState({
    toolVersion: '0.1.0',
    plan: { name: 'prod-cutover', file: 'plans/prod-cutover.yaml', hash: 'sha256:aaaa' },
    definitionVersion: 'steps-v1',
    statePath,
    now: T0,
  });
  const withJournal = appendJournal(base, {
    at: new Date(T0 + 1000).toISOString(),
    step: 1,
    actionId: 'assoc-vpc-0a1b-rp-0a1b',
    kind: 'mutate',
    account: '111122223333',
    operation: 'AssociateResourceToProfile',
    target: 'rp-0a1b2c3d4e5f6789',
    params: { ResourceArn: 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ', Name: 'lambda' },
    phase: 'intent',
  });
  return { ...withJournal, position: { step: 1, stepId: 'associate-profile', phase: 'act' }, stats: { mutations: 1 }, ...overrides };
}

/** The state as a version 1 file holds it (the journal inside), for tests that write a state file by hand. */
export function asVersion1(state: RunState): string {
  return JSON.stringify({ ...state, schemaVersion: 1 });
}

/** A dead process's pid: a child that has already exited (reuse within a test is vanishingly rare). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall} '${path}'`), { code, syscall, path });
}

/** The real file system with some calls replaced. */
export function faultyFs(overrides: Partial<FileSystem>): FileSystem {
  return { ...nodeFileSystem, ...overrides };
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * Transpiles src/state into a folder under test/state (so `zod` resolves from the repo's
 * node_modules) for child processes, which cannot load TypeScript on Node 20. Returns the folder
 * and a cleanup.
 */
export function buildStateForChildren(): { dir: string; cleanup: () => void } {
  const src = fileURLToPath(new URL('../../src/state/', import.meta.url));
  const here = fileURLToPath(new URL('.', import.meta.url));
  // Leftovers of a test run that was killed before its cleanup.
  for (const name of readdirSync(here)) {
    const m = /^\.child-build-(\d+)-\d+$/.exec(name);
    if (m && !isPidAlive(Number(m[1]))) rmSync(join(here, name), { recursive: true, force: true });
  }
  const dir = join(here, `.child-build-${process.pid}-${Date.now()}/`);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(src).filter((n) => n.endsWith('.ts'))) {
    const out = ts.transpileModule(readFileSync(join(src, name), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    });
    writeFileSync(join(dir, name.replace(/\.ts$/, '.js')), out.outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module script (text) with node, in `cwd`; killed after 20 s so a test always ends. */
export function runScript(scriptPath: string, args: string[] = []): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// Runs Run Command scripts as local child processes, as the SSM Agent on an instance would:
// the `commands` lines joined with "\n" in a script file run by `sh`, in a fresh temp directory,
// with the instance's VPC resolver in R53M_RESOLVER / R53M_PORT, killed at executionTimeout,
// stdout/stderr kept up to what GetCommandInvocation can return. At most `maxParallel` scripts
// run at once (the rest queue), so 300 instances don't fork-bomb a small machine. Only a twin
// told to (Twin.enableCommandExecution, done by the sandbox) ever builds one of these.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STDERR_MAX, STDOUT_MAX, type ExecutionResult } from './ops/ssm.js';

export interface RunnerJob {
  key: string;
  script: string;
  env: Record<string, string>;
  /** Kill after this long (real time). */
  timeoutMs: number;
  done(result: ExecutionResult): void;
}

export interface RunnerOptions {
  /** Default 16. */
  maxParallel?: number;
  /** Grace after SIGTERM before SIGKILL on timeout/cancel, ms (default 1000). */
  killGraceMs?: number;
}

interface Running {
  job: RunnerJob;
  child?: ChildProcess;
  cancelled: boolean;
  timedOut: boolean;
}

/** Keeps the first `max` characters of a stream. */
class Capped {
  text = '';
  constructor(private max: number) {}
  add(chunk: Buffer | string): void {
    if (this.text.length >= this.max) return;
    this.text += String(chunk);
    if (this.text.length > this.max) this.text = this.text.slice(0, this.max);
  }
}

export class CommandRunner {
  private queue: RunnerJob[] = [];
  private running = new Map<string, Running>();
  private closed = false;
  private readonly maxParallel: number;
  private readonly killGraceMs: number;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: RunnerOptions = {}) {
    this.maxParallel = Math.max(1, opts.maxParallel ?? 16);
    this.killGraceMs = opts.killGraceMs ?? 1000;
  }

  get active(): number {
    return this.running.size;
  }

  get queued(): number {
    return this.queue.length;
  }

  submit(job: RunnerJob): void {
    if (this.closed) return job.done({ exitCode: null, stdout: '', stderr: '', timedOut: false, cancelled: true });
    this.queue.push(job);
    this.pump();
  }

  /** Kills (or dequeues) a job; its done() reports cancelled. */
  cancel(key: string): void {
    const qi = this.queue.findIndex((j) => j.key === key);
    if (qi >= 0) {
      const [job] = this.queue.splice(qi, 1);
      job!.done({ exitCode: null, stdout: '', stderr: '', timedOut: false, cancelled: true });
      return;
    }
    const r = this.running.get(key);
    if (r) {
      r.cancelled = true;
      this.kill(r);
    }
  }

  /** Kills everything and waits (bounded) for the processes to go. */
  async close(): Promise<void> {
    this.closed = true;
    const queued = this.queue.splice(0);
    for (const j of queued) j.done({ exitCode: null, stdout: '', stderr: '', timedOut: false, cancelled: true });
    for (const r of this.running.values()) {
      r.cancelled = true;
      this.signal(r, 'SIGKILL');
    }
    if (this.running.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.maxParallel && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const r: Running = { job, cancelled: false, timedOut: false };
      this.running.set(job.key, r);
      void this.run(r);
    }
  }

  private signal(r: Running, sig: NodeJS.Signals): void {
    const pid = r.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig); // the script's whole process group (a `sleep` it started too)
    } catch {
      try {
        r.child?.kill(sig);
      } catch {
        /* already gone */
      }
    }
  }

  private kill(r: Running): void {
    this.signal(r, 'SIGTERM');
    const t = setTimeout(() => this.signal(r, 'SIGKILL'), this.killGraceMs);
    t.unref();
  }

  private async run(r: Running): Promise<void> {
    const { job } = r;
    const out = new Capped(STDOUT_MAX);
    const err = new Capped(STDERR_MAX);
    let dir: string | undefined;
    let result: ExecutionResult;
    try {
      dir = await mkdtemp(join(tmpdir(), 'r53m-ssm-'));
      const scriptPath = join(dir, '_script.sh');
      await writeFile(scriptPath, job.script, { mode: 0o700 });
      if (r.cancelled || this.closed) throw Object.assign(new Error('cancelled'), { cancelled: true });
      result = await new Promise<ExecutionResult>((resolve) => {
        const child = spawn('sh', [scriptPath], { cwd: dir, env: { ...job.env, HOME: job.env.HOME ?? dir! }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        r.child = child;
        child.stdout!.on('data', (d: Buffer) => out.add(d));
        child.stderr!.on('data', (d: Buffer) => err.add(d));
        const timer = setTimeout(() => {
          r.timedOut = true;
          this.kill(r);
        }, job.timeoutMs);
        let settled = false;
        child.on('error', (e) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ exitCode: null, stdout: out.text, stderr: err.text, timedOut: false, cancelled: r.cancelled, error: `r53migrate twin: could not start sh: ${e.message}` });
        });
        child.on('close', (code) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ exitCode: code, stdout: out.text, stderr: err.text, timedOut: r.timedOut, cancelled: r.cancelled });
        });
      });
    } catch (e) {
      const cancelled = (e as { cancelled?: boolean }).cancelled === true;
      result = { exitCode: null, stdout: '', stderr: '', timedOut: false, cancelled, ...(cancelled ? {} : { error: `r53migrate twin: could not prepare the script: ${(e as Error).message}` }) };
    }
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    this.running.delete(job.key);
    try {
      job.done(result);
    } finally {
      if (this.running.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.pump();
    }
  }
}

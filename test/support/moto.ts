// moto_server as a referee: started on a free loopback port, stopped for sure afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { expect } from 'vitest';

export interface MotoServer {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

/** Starts moto_server and waits (bounded: 15 s) until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop: () => stop(proc) };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop(proc);
  throw new Error(`moto_server did not start at ${url}`);
}

type Kind = 'string' | 'boolean' | 'number' | 'date' | 'array' | 'object';

/** The parsed shape of an SDK output: each present field and the JS type it came as. */
export function shape(o: object): Record<string, Kind> {
  const out: Record<string, Kind> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || k === '$metadata') continue;
    out[k] = v instanceof Date ? 'date' : Array.isArray(v) ? 'array' : (typeof v as Kind);
  }
  return out;
}

/** Fields both sides have must have the same type; returns the twin's extra fields and moto's missing ones. */
export function compareShapes(twin: object, moto: object): { extraInTwin: string[]; missingInTwin: string[] } {
  const t = shape(twin);
  const m = shape(moto);
  for (const k of Object.keys(m)) if (k in t) expect({ field: k, kind: t[k] }).toEqual({ field: k, kind: m[k] });
  return {
    extraInTwin: Object.keys(t).filter((k) => !(k in m)).sort(),
    missingInTwin: Object.keys(m).filter((k) => !(k in t)).sort(),
  };
}

/** The error name a call ends with, or 'no error'. */
export async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).name;
  }
  return 'no error';
}

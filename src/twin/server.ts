// The twin's HTTP face on loopback: every AWS call on one port (the twin routes by the SigV4
// credential scope, like one AWS_ENDPOINT_URL for all services), plus the unsigned inspection
// and fault routes under /_twin/ (GET/PUT/DELETE /_twin/iam: the accounts' IAM policies).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from './clock.js';
import { parseFault } from './faults.js';
import { validatePolicyDocument, type PolicyDocument } from './iam.js';
import { assertLoopback } from './loopback.js';
import type { RawRequest, RawResponse, ServiceName } from './protocol.js';
import type { ServiceLimits } from './ratelimit.js';
import { Twin, type CommandExecutionOptions } from './twin.js';
import type { World } from './world.js';

export interface TwinServerOptions {
  world: World;
  clock?: Clock;
  rateLimits?: Record<ServiceName, ServiceLimits> | 'off';
  /** Loopback only. */
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Run SSM SendCommand scripts as local processes (omitted: never; see Twin.enableCommandExecution). */
  commandExecution?: CommandExecutionOptions;
}

export interface TwinServer {
  twin: Twin;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Route 53 caps a request at 32,000 characters; 10 MiB is far past anything legitimate. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `now`: the twin's clock, AWS's time (the Date header is what SDKs correct their clock skew from). */
function send(res: ServerResponse, out: RawResponse, now: number): void {
  if (res.destroyed) return;
  const payload = out.bytes ?? out.body;
  // A front end states the length itself only for a HEAD: what a GET would send, no body following.
  const length = out.headers['content-length'] ?? String(Buffer.byteLength(payload));
  const headers = { ...out.headers, date: new Date(now).toUTCString(), 'content-length': length };
  res.writeHead(out.status, headers);
  res.end(payload);
}

const json = (status: number, value: unknown): RawResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value, null, 2),
});

async function inspection(twin: Twin, method: string, url: URL, body: Buffer): Promise<RawResponse> {
  const path = url.pathname;
  if (method === 'GET' && path === '/_twin/health') return json(200, { ok: true });
  if (method === 'GET' && path === '/_twin/state') return json(200, twin.snapshot());
  if (method === 'GET' && path === '/_twin/requests') {
    const since = Number(url.searchParams.get('since') ?? 0);
    return json(200, twin.log.filter((e) => e.seq > since));
  }
  if (path === '/_twin/faults') {
    if (method === 'GET') return json(200, twin.faults.list());
    if (method === 'DELETE') return json(200, { cleared: twin.faults.clear() });
    if (method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return json(400, { error: 'body is not valid JSON' });
      }
      const specs = Array.isArray(parsed) ? parsed : [parsed];
      const out = [];
      for (const s of specs) {
        const spec = parseFault(s);
        if (typeof spec === 'string') return json(400, { error: spec });
        out.push(spec);
      }
      return json(200, out.map((s) => twin.faults.add(s)));
    }
  }
  if (path === '/_twin/iam') return iamPolicies(twin, method, body);
  const faultId = /^\/_twin\/faults\/([\w-]+)$/.exec(path)?.[1];
  if (faultId && method === 'DELETE') return json(200, { cleared: twin.faults.clear(faultId) });
  if (method === 'GET' && path === '/_twin/held') {
    const waitMs = Math.min(Number(url.searchParams.get('waitMs') ?? 0) || 0, 30_000);
    return json(200, waitMs > 0 ? await twin.waitForHeld(waitMs) : twin.heldRequests());
  }
  if (method === 'POST' && path === '/_twin/held/release') {
    let id: string | undefined;
    try {
      id = body.length ? (JSON.parse(body.toString('utf8')) as { id?: string }).id : undefined;
    } catch {
      return json(400, { error: 'body is not valid JSON' });
    }
    return json(200, { released: twin.release(id) });
  }
  return json(404, { error: `no twin route ${method} ${path}` });
}

/**
 * GET: {accountId: policy document} for every account with a policy. PUT {accountId: document |
 * null}: replaces the whole set (accounts left out, or null, get none: everything allowed); every
 * document is checked first and nothing changes when one is malformed. DELETE: no policies.
 */
function iamPolicies(twin: Twin, method: string, body: Buffer): RawResponse {
  if (method === 'GET') return json(200, twin.policies());
  if (method === 'DELETE') {
    for (const id of Object.keys(twin.policies())) twin.setPolicy(id, undefined);
    return json(200, {});
  }
  if (method !== 'PUT') return json(405, { error: `${method} /_twin/iam: use GET, PUT or DELETE` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return json(400, { error: 'body is not valid JSON' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return json(400, { error: 'body must be an object {accountId: policy document | null}' });
  const problems: string[] = [];
  const known = new Set(twin.world.accounts.map((a) => a.id));
  for (const [id, doc] of Object.entries(parsed)) {
    if (!known.has(id)) problems.push(`${id}: no such account in the twin`);
    else if (doc !== null) problems.push(...validatePolicyDocument(doc).map((p) => `${id}: ${p}`));
  }
  if (problems.length) return json(400, { error: 'policies not attached', problems });
  for (const id of Object.keys(twin.policies())) twin.setPolicy(id, undefined);
  for (const [id, doc] of Object.entries(parsed)) if (doc !== null) twin.setPolicy(id, doc as PolicyDocument);
  return json(200, twin.policies());
}

export async function startTwinServer(opts: TwinServerOptions): Promise<TwinServer> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopback(host);
  const clock = opts.clock ?? systemClock;
  const twin = new Twin({ world: opts.world, clock, rateLimits: opts.rateLimits });
  if (opts.commandExecution) twin.enableCommandExecution(opts.commandExecution);
  const server = createServer(async (req, res) => {
    try {
      let gone = false;
      res.on('close', () => {
        if (!res.writableFinished) gone = true;
      });
      const url = new URL(req.url ?? '/', 'http://twin');
      const body = await readBody(req);
      if (body === undefined) return send(res, json(413, { error: 'request body too large' }), clock.now());
      if (url.pathname.startsWith('/_twin/')) return send(res, await inspection(twin, req.method ?? 'GET', url, body), clock.now());
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      const raw: RawRequest = { method: req.method ?? 'GET', path: rawPath, query: url.searchParams, headers, body };
      send(res, await twin.handle(raw, { gone: () => gone || req.socket.destroyed }), clock.now());
    } catch (e) {
      process.stderr.write(`twin: request failed: ${(e as Error)?.stack ?? e}\n`);
      send(res, json(500, { error: 'internal twin error' }), clock.now());
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    twin,
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        twin.release();
        void twin.close().finally(() => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
      }),
  };
}

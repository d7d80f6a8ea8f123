// RAM tests' helpers: SigV4-signed REST-JSON requests (no @aws-sdk/client-ram in this tree: the
// registry has no release matching the house's ^3.1169.0 line), so the wire tests sign by hand
// with the same signer the SDK uses.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Sends a SigV4-signed RAM request (service `ram`). A body object is sent as JSON. */
export async function ramRequest(
  endpoint: string,
  creds: Creds,
  method: string,
  path: string,
  body?: object | string,
  query: Record<string, string> = {},
  region = 'us-east-1',
): Promise<RawResult> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: 'ram', region, credentials: creds, sha256: Sha256 });
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { host: url.host };
  if (text !== undefined) headers['content-type'] = 'application/json';
  const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, query, headers, body: text });
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${endpoint}${path}${qs ? `?${qs}` : ''}`, { method, headers: signed.headers as Record<string, string>, body: text });
  const out = await res.text();
  let json: any;
  try {
    json = out ? JSON.parse(out) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text: out, json };
}

/** The error code of a REST-JSON error answer (x-amzn-ErrorType, else the body's __type), without any ":http..." suffix. */
export function errorCode(r: RawResult): string | undefined {
  const raw = r.headers.get('x-amzn-errortype') ?? r.json?.__type ?? r.json?.code;
  return raw?.split(':')[0];
}

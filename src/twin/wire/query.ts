// Shared by the query-protocol front ends (EC2, STS): the form body or query string as params.
import type { RawRequest } from '../protocol.js';

export function queryParams(req: RawRequest): URLSearchParams {
  const params = new URLSearchParams(req.query);
  const type = req.headers['content-type'] ?? '';
  if (req.body.length > 0 && (type === '' || type.includes('application/x-www-form-urlencoded'))) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.append(k, v);
  }
  return params;
}

/** A query request's members as sent (lists flattened: InstanceId.1, ...), first value of each; none when the body is not a query. */
export function queryMembers(req: RawRequest): Record<string, string> {
  try {
    return Object.fromEntries(queryParams(req));
  } catch {
    return {};
  }
}

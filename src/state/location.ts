// Where a run's state lives: a local file (the default) or an S3 object named by an s3:// URI.
// An S3 run still writes its per-machine files (run log, probe evidence, report, the local copies
// of zone backups) into a local mirror folder, `.r53migrate/s3/<bucket>/<key's folder>/`, whose
// layout is the S3 layout: a file's path under the mirror root is its key in the bucket.
import { join, posix, relative, sep } from 'node:path';
import { DEFAULT_STATE_DIR } from './run-state.js';

export interface S3StateLocation {
  bucket: string;
  /** The checkpoint's key, ending `.state.json`. */
  key: string;
  uri: string;
}

/** An s3:// state location that is not one r53migrate can use (bad input, exit 2). */
export class StateLocationError extends Error {
  readonly code = 'BAD_STATE_LOCATION';
  readonly exitCode = 2;
  constructor(
    readonly location: string,
    detail: string,
  ) {
    super(`state location ${location}: ${detail}`);
    this.name = 'StateLocationError';
  }
}

export function isS3Location(location: string): boolean {
  return /^s3:\/\//i.test(location);
}

// S3's rules for general purpose bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
const BUCKET = /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/prefix/name.state.json`; throws StateLocationError saying what is wrong. */
export function parseS3Location(location: string): S3StateLocation {
  const m = /^s3:\/\/([^/]*)\/(.*)$/i.exec(location);
  if (!m || !location.startsWith('s3://')) throw new StateLocationError(location, 'expected s3://<bucket>/<prefix>/<name>.state.json (lower-case "s3://")');
  const [, bucket, key] = m as unknown as [string, string, string];
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new StateLocationError(location, `"${bucket}" is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/]*\.state\.json$/.test(key) || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new StateLocationError(location, `the key "${key}" must be a path of letters, digits, dots, dashes and underscores ending in .state.json (e.g. team/prod-lambda.state.json)`);
  }
  return { bucket, key, uri: `s3://${bucket}/${key}` };
}

/** The root of the local mirror of a bucket: its files' keys are their paths under it. */
export function mirrorRoot(bucket: string): string {
  return join(DEFAULT_STATE_DIR, 's3', bucket);
}

/**
 * The path the state file would have locally: the state itself for a file, its place in the
 * local mirror for S3 (nothing is written at that path; the files beside it are derived from it).
 */
export function localStatePath(location: string): string {
  if (!isS3Location(location)) return location;
  const { bucket, key } = parseS3Location(location);
  return join(mirrorRoot(bucket), ...key.split('/'));
}

/** The key of a file in the local mirror of `bucket` (undefined when the file is outside it). */
export function mirrorKeyOf(bucket: string, file: string): string | undefined {
  const rel = relative(mirrorRoot(bucket), file);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel)) return undefined;
  return rel.split(sep).join(posix.sep);
}

/** The local mirror path of a key of `bucket`. */
export function mirrorPathOf(bucket: string, key: string): string {
  return join(mirrorRoot(bucket), ...key.split('/'));
}

// s3:// state locations: what is accepted, what is refused with which words, and where an S3
// state's per-machine files go (the local mirror, whose paths are the keys).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isS3Location, localStatePath, mirrorKeyOf, mirrorPathOf, parseS3Location, StateLocationError } from '../../src/state/location.js';
import { logPathFor, probeLogPathFor, reportPathFor } from '../../src/state/run-state.js';
import { backupDirFor } from '../../src/state/backend.js';

describe('s3:// state locations', () => {
  it('parses bucket and key', () => {
    expect(parseS3Location('s3://team-dns.state/dns/prod/run-1.state.json')).toEqual({ bucket: 'team-dns.state', key: 'dns/prod/run-1.state.json', uri: 's3://team-dns.state/dns/prod/run-1.state.json' });
    expect(isS3Location('s3://b/x.state.json')).toBe(true);
    expect(isS3Location('.r53migrate/x.state.json')).toBe(false);
  });

  it.each([
    ['s3://Team_State/x.state.json', 'is not an S3 bucket name'],
    ['s3://ab/x.state.json', 'is not an S3 bucket name'],
    ['s3://192.168.1.1/x.state.json', 'is not an S3 bucket name'],
    ['s3://xn--bucket/x.state.json', 'is not an S3 bucket name'],
    ['s3://bucket/x.json', 'must be a path'],
    ['s3://bucket/a//x.state.json', 'must be a path'],
    ['s3://bucket/../x.state.json', 'must be a path'],
    ['s3://bucket', 'expected s3://<bucket>/<prefix>/<name>.state.json'],
    ['S3://bucket/x.state.json', 'lower-case "s3://"'],
  ])('refuses %s (exit 2) saying what is wrong', (location, words) => {
    const e = (() => {
      try {
        parseS3Location(location);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(StateLocationError);
    expect((e as StateLocationError).exitCode).toBe(2);
    expect((e as Error).message).toContain(words);
  });

  it("an S3 state's own files (log, probe evidence, report, backups) go to the local mirror, whose paths are the keys", () => {
    const uri = 's3://team-state/dns/prod.state.json';
    const local = localStatePath(uri);
    expect(local).toBe(join('.r53migrate', 's3', 'team-state', 'dns', 'prod.state.json'));
    expect(logPathFor(uri)).toBe(join('.r53migrate', 's3', 'team-state', 'dns', 'prod.log'));
    expect(probeLogPathFor(uri)).toBe(join('.r53migrate', 's3', 'team-state', 'dns', 'prod.probes.ndjson'));
    expect(reportPathFor(uri)).toBe(join('.r53migrate', 's3', 'team-state', 'dns', 'prod.report.html'));
    const backups = backupDirFor(uri, 'prod-plan');
    expect(mirrorKeyOf('team-state', join(backups, 'Z1.json'))).toBe('dns/prod-plan.backups/Z1.json');
    expect(mirrorPathOf('team-state', 'dns/prod-plan.backups/Z1.json')).toBe(join(backups, 'Z1.json'));
    // Outside the mirror: no key.
    expect(mirrorKeyOf('team-state', '/etc/passwd')).toBeUndefined();
    expect(mirrorKeyOf('team-state', join('.r53migrate', 's3', 'other-bucket', 'x'))).toBeUndefined();
    // A local state is its own path.
    expect(localStatePath('/var/tmp/run.state.json')).toBe('/var/tmp/run.state.json');
  });
});

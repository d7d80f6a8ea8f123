// Probe targets: resolver addresses, wildcard probe names, every VPC × every name.
import { describe, expect, it } from 'vitest';
import { buildTargets, pairKey, parseResolver, probeNameFor } from '../../src/probes/targets.js';

describe('probe targets', () => {
  it('a wildcard name is probed through a concrete label; other names as they are', () => {
    expect(probeNameFor('*.s3.us-east-1.amazonaws.com')).toBe('r53migrate-probe.s3.us-east-1.amazonaws.com');
    expect(probeNameFor('*.dkr.ecr.us-east-1.amazonaws.com')).toBe('r53migrate-probe.dkr.ecr.us-east-1.amazonaws.com');
    expect(probeNameFor('lambda.us-east-1.amazonaws.com')).toBe('lambda.us-east-1.amazonaws.com');
  });

  it('parses host:port and [v6]:port, and refuses host names (replies are matched by source address)', () => {
    expect(parseResolver('127.0.0.1:5300')).toEqual({ host: '127.0.0.1', port: 5300 });
    expect(parseResolver('[::1]:53')).toEqual({ host: '::1', port: 53 });
    expect(() => parseResolver('localhost:53')).toThrow('must use an IP address');
    expect(() => parseResolver('127.0.0.1')).toThrow('is not host:port');
    expect(() => parseResolver('127.0.0.1:70000')).toThrow('is not host:port');
  });

  it('builds every VPC × name pair with the endpoint IPs as the expected set', () => {
    const t = buildTargets(
      [
        { id: 'vpc-a', resolver: '127.0.0.1:5301' },
        { id: 'vpc-b', resolver: '127.0.0.1:5302' },
      ],
      [
        { name: 'lambda.us-east-1.amazonaws.com', ips: ['10.0.1.10'] },
        { name: '*.s3.us-east-1.amazonaws.com', ips: ['10.0.1.20', '10.0.2.20'] },
      ],
    );
    expect(t.map(pairKey)).toEqual([
      'vpc-a|lambda.us-east-1.amazonaws.com',
      'vpc-a|*.s3.us-east-1.amazonaws.com',
      'vpc-b|lambda.us-east-1.amazonaws.com',
      'vpc-b|*.s3.us-east-1.amazonaws.com',
    ]);
    expect(t[3]).toEqual({
      vpcId: 'vpc-b',
      resolver: { host: '127.0.0.1', port: 5302 },
      name: '*.s3.us-east-1.amazonaws.com',
      probeName: 'r53migrate-probe.s3.us-east-1.amazonaws.com',
      expected: ['10.0.1.20', '10.0.2.20'],
    });
  });

  it('refuses a duplicate pair (it would be counted twice by a gate)', () => {
    expect(() => buildTargets([{ id: 'vpc-a', resolver: '127.0.0.1:1' }], [{ name: 'x.example.com', ips: [] }, { name: 'x.example.com', ips: [] }])).toThrow(
      'duplicate probe pair vpc-a|x.example.com',
    );
  });
});

// The twin's deterministic stand-in for Route 53's routing among record sets of one name and type
// (src/twin/routing-policy.ts). Route 53 chooses by probability, health, latency and location; the
// twin has none of those inputs, so each rule below is a documented choice, tested as such.
import { describe, expect, it } from 'vitest';
import { MULTIVALUE_MAX_ANSWERS, policyKind, selectRoutedRecords } from '../../src/twin/routing-policy.js';
import type { RecordSet, RoutingPolicy } from '../../src/twin/world.js';

const rs = (setIdentifier: string | undefined, routing: RoutingPolicy | undefined, value = `10.0.0.${setIdentifier ?? 0}`): RecordSet => ({
  name: 'www.example.internal.',
  type: 'A',
  ttl: 60,
  values: [value],
  ...(setIdentifier !== undefined ? { setIdentifier } : {}),
  ...(routing ? { routing } : {}),
});
const ids = (records: RecordSet[]) => records.map((r) => r.setIdentifier ?? '-');

describe('policyKind', () => {
  it('names the policy from the one routing element a record set carries; none is simple', () => {
    expect(policyKind(rs(undefined, undefined))).toBe('simple');
    expect(policyKind(rs('a', { weight: 0 }))).toBe('weighted');
    expect(policyKind(rs('a', { region: 'us-east-1' }))).toBe('latency');
    expect(policyKind(rs('a', { failover: 'SECONDARY' }))).toBe('failover');
    expect(policyKind(rs('a', { geoLocation: { continentCode: 'EU' } }))).toBe('geolocation');
    expect(policyKind(rs('a', { multiValueAnswer: false }))).toBe('multivalue');
    expect(policyKind(rs('a', { cidrRoutingConfig: { collectionId: 'c', locationName: '*' } }))).toBe('cidr');
    expect(policyKind(rs('a', { geoProximityLocation: { awsRegion: 'us-east-1' } }))).toBe('geoproximity');
  });
});

describe('selectRoutedRecords', () => {
  it('simple: the record set as it is; an empty group stays empty', () => {
    const simple = rs(undefined, undefined);
    expect(selectRoutedRecords([simple])).toEqual([simple]);
    expect(selectRoutedRecords([])).toEqual([]);
  });

  it('weighted: the highest weight; ties go to the lowest SetIdentifier; zero only when every weight is zero [doc: model Weight]', () => {
    expect(ids(selectRoutedRecords([rs('b', { weight: 10 }), rs('a', { weight: 200 }), rs('c', { weight: 55 })]))).toEqual(['a']);
    expect(ids(selectRoutedRecords([rs('green', { weight: 50 }), rs('blue', { weight: 50 }), rs('red', { weight: 1 })]))).toEqual(['blue']);
    expect(ids(selectRoutedRecords([rs('b', { weight: 0 }), rs('a', { weight: 0 })]))).toEqual(['a']);
    expect(ids(selectRoutedRecords([rs('a', { weight: 0 }), rs('b', { weight: 1 })]))).toEqual(['b']);
  });

  it('failover: PRIMARY (every record set counts as healthy); SECONDARY only without a PRIMARY', () => {
    expect(ids(selectRoutedRecords([rs('s', { failover: 'SECONDARY' }), rs('p', { failover: 'PRIMARY' })]))).toEqual(['p']);
    expect(ids(selectRoutedRecords([rs('s', { failover: 'SECONDARY' })]))).toEqual(['s']);
  });

  it('multivalue: all of them, at most eight, lowest SetIdentifiers first [doc: model MultiValueAnswer "up to eight"]', () => {
    const group = Array.from({ length: 10 }, (_, i) => rs(`m${i}`, { multiValueAnswer: true }));
    expect(MULTIVALUE_MAX_ANSWERS).toBe(8);
    expect(ids(selectRoutedRecords([...group].reverse()))).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(ids(selectRoutedRecords(group.slice(0, 3)))).toEqual(['m0', 'm1', 'm2']);
  });

  it('latency: the record set in the querying VPC’s region, else the lowest SetIdentifier', () => {
    const group = [rs('west', { region: 'us-west-2' }), rs('east', { region: 'us-east-1' }), rs('eu', { region: 'eu-west-1' })];
    expect(ids(selectRoutedRecords(group, { region: 'us-west-2' }))).toEqual(['west']);
    expect(ids(selectRoutedRecords(group, { region: 'ap-south-1' }))).toEqual(['east']);
    expect(ids(selectRoutedRecords(group))).toEqual(['east']);
  });

  it('geolocation: the default location (CountryCode *), else the lowest SetIdentifier; IP-based likewise with LocationName *', () => {
    expect(ids(selectRoutedRecords([rs('eu', { geoLocation: { continentCode: 'EU' } }), rs('zz', { geoLocation: { countryCode: '*' } })]))).toEqual(['zz']);
    expect(ids(selectRoutedRecords([rs('us', { geoLocation: { countryCode: 'US' } }), rs('eu', { geoLocation: { continentCode: 'EU' } })]))).toEqual(['eu']);
    const cidr = (id: string, locationName: string) => rs(id, { cidrRoutingConfig: { collectionId: 'c', locationName } });
    expect(ids(selectRoutedRecords([cidr('a', 'office'), cidr('b', '*')]))).toEqual(['b']);
    expect(ids(selectRoutedRecords([cidr('b', 'lab'), cidr('a', 'office')]))).toEqual(['a']);
  });

  it('a mixed group (which Route 53 refuses to create): simple record sets win, else the policy of the lowest SetIdentifier', () => {
    expect(ids(selectRoutedRecords([rs('a', { weight: 9 }), rs(undefined, undefined)]))).toEqual(['-']);
    expect(ids(selectRoutedRecords([rs('b', { weight: 9 }), rs('a', { failover: 'SECONDARY' })]))).toEqual(['a']);
  });

  it('is pure: the input array and its record sets are left as they were', () => {
    const group = [rs('b', { weight: 1 }), rs('a', { weight: 2 })];
    const copy = structuredClone(group);
    selectRoutedRecords(group);
    expect(group).toEqual(copy);
  });
});

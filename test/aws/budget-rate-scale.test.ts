// R53M_RATE_SCALE: the time-compressed rehearsal knob of the client budget (bench:migrate).
import { afterEach, describe, expect, it } from 'vitest';
import { bucketsFor, rateScale } from '../../src/aws/budget.js';

describe('R53M_RATE_SCALE', () => {
  afterEach(() => {
    delete process.env.R53M_RATE_SCALE;
  });

  it('is 1 when unset or empty', () => {
    expect(rateScale({})).toBe(1);
    expect(rateScale({ R53M_RATE_SCALE: ' ' })).toBe(1);
  });

  it('multiplies every refill rate and leaves bursts as they are', () => {
    const plain = bucketsFor('ec2', 'ModifyVpcEndpoint', true)[0]![1];
    process.env.R53M_RATE_SCALE = '20';
    const fast = bucketsFor('ec2', 'ModifyVpcEndpoint', true)[0]![1];
    expect(fast.perSecond).toBeCloseTo(plain.perSecond * 20);
    expect(fast.burst).toBe(plain.burst);
  });

  it.each(['0', '-1', '1001', 'fast', 'Infinity', 'NaN'])('refuses %s with a message naming the variable', (v) => {
    expect(() => rateScale({ R53M_RATE_SCALE: v })).toThrow(/R53M_RATE_SCALE must be a positive number up to 1000/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseAckOptions } from './ack-options.ts';

describe('parseAckOptions', () => {
  it('uses the full profile by default and the quick one with --quick', () => {
    expect(parseAckOptions([])).toMatchObject({ rate: 50, durationS: 20, warmupS: 3 });
    expect(parseAckOptions(['--quick'])).toMatchObject({ rate: 20, durationS: 5, warmupS: 1 });
  });

  it('lets flags on the command line win over the profile', () => {
    expect(parseAckOptions(['--quick', '--rate', '30'])).toMatchObject({ rate: 30, durationS: 5 });
  });

  it('refuses a load outside its bounds', () => {
    expect(() => parseAckOptions(['--rate', '100000'])).toThrow(/--rate must be/);
    expect(() => parseAckOptions(['--duration', 'soon'])).toThrow(/--duration must be/);
  });
});

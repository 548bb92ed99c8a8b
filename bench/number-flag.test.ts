import { describe, expect, it } from 'vitest';
import { numberFlag } from './number-flag.ts';

describe('numberFlag', () => {
  it("takes the profile's value when the flag is absent, and the given one otherwise", () => {
    expect(numberFlag('rate', undefined, 50, [1, 100])).toBe(50);
    expect(numberFlag('rate', '2.5', 50, [1, 100])).toBe(2.5);
  });

  it('refuses what is out of range or not a number, naming the flag, range and value', () => {
    expect(() => numberFlag('rate', '101', 50, [1, 100])).toThrow(
      '--rate must be a number from 1 to 100; got 101',
    );
    expect(() => numberFlag('rate', 'soon', 50, [1, 100])).toThrow(/got soon$/);
  });

  it('takes only whole numbers when asked to', () => {
    expect(numberFlag('tasks', '0', 5, [0, 10], 'whole')).toBe(0);
    expect(() => numberFlag('tasks', '2.5', 5, [0, 10], 'whole')).toThrow(
      '--tasks must be a whole number from 0 to 10; got 2.5',
    );
  });
});

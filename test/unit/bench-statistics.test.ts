import { describe, expect, it } from 'vitest';
import { interval95, median, rotate } from '../../bench/measure';

describe('benchmark statistics', () => {
  it('gives the mean and the 95 % interval of paired per-round values (Student t, n - 1 degrees of freedom)', () => {
    // mean 3, sample standard deviation √2.5, t(0.975, 4) = 2.7764
    const i = interval95([1, 2, 3, 4, 5]);
    expect(i.mean).toBe(3);
    expect(i.halfWidth).toBeCloseTo(2.7764 * Math.sqrt(2.5 / 5), 3);
    expect(i.low).toBeCloseTo(3 - i.halfWidth, 10);
    expect(i.high).toBeCloseTo(3 + i.halfWidth, 10);
    expect(i.rounds).toBe(5);
  });

  it('claims no interval from a single round', () => {
    expect(interval95([0.1]).halfWidth).toBe(Infinity);
  });

  it('takes the middle of an even number of values as their mean', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('starts each round with another server', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});

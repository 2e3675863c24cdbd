import { describe, expect, it } from 'vitest';
import { interval95, median, merge, pairOrder, rotate, type Measurement } from '../../bench/measure';

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

  it('measures a pair A B B A, then B A A B, so that a drift linear over the round weighs on both alike', () => {
    expect(pairOrder(['a', 'b'], 0)).toEqual(['a', 'b', 'b', 'a']);
    expect(pairOrder(['a', 'b'], 1)).toEqual(['b', 'a', 'a', 'b']);
    // Two equal servers on a machine slowing down by 10 % per part: A B would charge the drift to
    // the difference; A B B A charges none of it.
    const speed = (part: number) => 1000 * (1 - 0.1 * part);
    const part = (i: number): Measurement => ({ rps: speed(i), p50: 10, p99: 20, errors: 0, requests: speed(i) * 2, seconds: 2, cpuMsPerRequest: 1, dbCpuMsPerRequest: null });
    const order = pairOrder(['a', 'b'], 0);
    const parts = order.map((_, i) => part(i));
    const a = merge(parts[0], parts[3]);
    const b = merge(parts[1], parts[2]);
    expect(1 - a.rps / b.rps).toBeCloseTo(0, 10);
    expect(1 - parts[0].rps / parts[1].rps).toBeCloseTo(-0.111, 3);
  });

  it('merges the parts of a measurement over their answers and time', () => {
    const one: Measurement = { rps: 100, p50: 10, p99: 30, errors: 1, requests: 300, seconds: 3, cpuMsPerRequest: 2, dbCpuMsPerRequest: 1 };
    const two: Measurement = { rps: 50, p50: 20, p99: 60, errors: 0, requests: 100, seconds: 2, cpuMsPerRequest: 4, dbCpuMsPerRequest: 3 };
    const m = merge(one, two);
    expect(m.rps).toBe(400 / 5);
    expect(m.requests).toBe(400);
    expect(m.seconds).toBe(5);
    expect(m.errors).toBe(1);
    // CPU per request: all the CPU time over all the answers (600 + 400 ms over 400)
    expect(m.cpuMsPerRequest).toBe(1000 / 400);
    expect(m.dbCpuMsPerRequest).toBe((300 + 300) / 400);
    expect(m.p50).toBe(12.5);
    // a part without PostgreSQL's CPU leaves the whole without it
    expect(merge(one, { ...two, dbCpuMsPerRequest: null }).dbCpuMsPerRequest).toBeNull();
  });
});

// Shared test helpers: fixture paths and tolerance checks that report the worst entry.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'switch_tiny');

export interface JT { shape: number[]; data: number[] }

export function readJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

/** Largest |a − b| (shapes must agree). */
export function maxAbsDiff(a: JT, b: JT): number {
  expect(a.shape).toEqual(b.shape);
  expect(a.data.length).toBe(b.data.length);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

export function expectClose(actual: JT, expected: JT, tol: number, label: string): void {
  const d = maxAbsDiff(actual, expected);
  if (!(d <= tol)) throw new Error(`${label}: max |diff| ${d} > ${tol}`);
}

export function expectRelClose(actual: number, expected: number, rel: number, label: string): void {
  const d = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
  if (!(d <= rel)) throw new Error(`${label}: ${actual} vs ${expected} (rel ${d} > ${rel})`);
}

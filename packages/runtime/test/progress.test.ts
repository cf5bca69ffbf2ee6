// Line-based, rate-limited progress with a fake clock: which updates print, the rate and the ETA
// (work left / rate so far), and the duration format.
import { ProgressLine, formatDuration } from '@switchyard/runtime';

test('formatDuration', () => {
  expect([0, 42, 59.6, 65, 600, 3720, -1, NaN].map(formatDuration)).toEqual(['0s', '42s', '1m00s', '1m05s', '10m00s', '1h02m', '?', '?']);
});

test('prints the first update, then at most once per interval, always the last; rate and ETA from the clock', () => {
  let t = 1000;
  const lines: string[] = [];
  const p = new ProgressLine({ total: 200, what: 'generated', unit: 'dialogues', log: (l) => lines.push(l), minIntervalMs: 5000, now: () => t });
  t += 2000; expect(p.update(32)).toBe(true); // first: 32 in 2 s = 16/s, 168 left → 10.5 s
  t += 2000; expect(p.update(64)).toBe(false); // 2 s after the last line
  t += 3500; expect(p.update(96)).toBe(true); // 5.5 s after: 96 in 7.5 s = 12.8/s, 104 left → 8.1 s
  t += 1000; expect(p.update(128, ['batch 4'], true)).toBe(true); // forced
  t += 500; expect(p.update(200)).toBe(true); // the last always prints
  expect(lines).toEqual([
    'generated 32/200 (16%) | 16 dialogues/s | ETA 11s',
    'generated 96/200 (48%) | 13 dialogues/s | ETA 8s', // ≥ 10/s: whole numbers,
    'generated 128/200 (64%) | batch 4 | 15 dialogues/s | ETA 5s',
    'generated 200/200 (100%) | 22 dialogues/s | took 9s',
  ]);
});

test('a resumed run counts only its own work in the rate', () => {
  let t = 0;
  const p = new ProgressLine({ total: 150, what: 'step', log: () => {}, startDone: 50, now: () => t });
  expect(p.etaSeconds(50)).toBeNull(); // nothing done yet in this process
  t = 10_000;
  expect(p.rate(70)).toBeCloseTo(2, 12); // 20 steps in 10 s
  expect(p.etaSeconds(70)).toBeCloseTo(40, 12); // 80 left at 2/s
  expect(p.format(70)).toBe('step 70/150 (46%) | ETA 40s');
});

// The report over a sweep (layout b): 2 strategies × 3 seeds of synthetic but real stage
// folders. Every number of report.arrow, runs.arrow and the Markdown tables is checked against
// an independent recomputation from the stage folders' Arrow files (test/recompute.ts).
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import { writeReport, reportStage } from '@switchyard/report';
import { checkSchema } from '@switchyard/runtime';
import { buildSweep, type SyntheticRun } from './synthetic-stages.js';
import { TYPES, cellNumbers, expectedExpertLoad, expectedRun, expectedStrategy, markdownTable, printedMatches, type Numbers } from './recompute.js';

const STRATEGIES = [
  { name: 'samsum-linear-softmax-top2', router: { type: 'linear-softmax-topk', topK: 2 }, maxActive: 2, level: 0.3, flops: 2e6 },
  { name: 'samsum-sparsemax', router: { type: 'linear-sparsemax', alpha: 1.5 }, maxActive: 4, level: 0.35, flops: 2.6e6 },
];
const SEEDS = [1, 2, 3];
/** The level decides the ROUGE of the synthetic runs: best first is the report's row order. */
const BY_QUALITY = [...STRATEGIES].sort((a, b) => b.level - a.level);

let root: string;
let out: string;
let runs: SyntheticRun[];
let md: string;
let html: string;
let files: string[];
let logs: string[];
const recorded: Record<string, unknown> = {};

function tableRows(t: Table): Record<string, unknown>[] {
  return Array.from({ length: t.numRows }, (_, i) => t.get(i)!.toJSON() as Record<string, unknown>);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'report-sweep-'));
  const stages = join(root, 'stages');
  mkdirSync(stages);
  runs = buildSweep(stages, STRATEGIES, SEEDS);
  const inputs: Record<string, string> = {};
  for (const r of runs) for (const [role, dir] of Object.entries(r.dirs)) inputs[`${r.strategy}/seed-${r.seed}/${role}`] = dir;
  out = join(root, 'out');
  mkdirSync(out);
  logs = [];
  files = await writeReport({}, { inputs, outDir: out, log: (m) => logs.push(m), record: (k, v) => { recorded[k] = v; } });
  md = readFileSync(join(out, 'report.md'), 'utf8');
  html = readFileSync(join(out, 'report.html'), 'utf8');
});

// REPORT_KEEP_OUTPUT=1 keeps the folders to look at the report and plots.
afterAll(() => { if (process.env.REPORT_KEEP_OUTPUT) console.log(`report test output kept in ${root}`); else rmSync(root, { recursive: true, force: true }); });

const runsOf = (name: string) => runs.filter((r) => r.strategy === name);

function expectNumbers(got: Record<string, unknown>, want: Numbers) {
  for (const [k, v] of Object.entries(want)) {
    if (v === null) expect([k, got[k]]).toEqual([k, null]);
    else expect([k, Number(got[k])]).toEqual([k, expect.closeTo(v, 9)]);
  }
}

describe('report stage over a sweep (2 strategies × 3 seeds)', () => {
  it('report.arrow: one row per strategy, every number equal to the recomputation from the stage outputs', () => {
    const rows = tableRows(tableFromIPC(readFileSync(join(out, 'report.arrow'))));
    expect(rows.map((r) => r.strategy)).toEqual(BY_QUALITY.map((s) => s.name));
    expect(rows.map((r) => r.router)).toEqual(BY_QUALITY.map((s) => s.router.type));
    for (const row of rows) {
      const want = expectedStrategy(runsOf(String(row.strategy)));
      expect(Object.keys(want).every((k) => k in row)).toBe(true);
      expectNumbers(row, want);
      expect(Array.from(row.seeds as ArrayLike<number>)).toEqual(SEEDS);
    }
  });

  it('runs.arrow: one row per strategy × seed with the per-run numbers', () => {
    const rows = tableRows(tableFromIPC(readFileSync(join(out, 'runs.arrow'))));
    const ordered = BY_QUALITY.flatMap((s) => runsOf(s.name));
    expect(rows.map((r) => `${r.strategy}/${r.seed}`)).toEqual(ordered.map((r) => `${r.strategy}/${r.seed}`));
    rows.forEach((row, i) => expectNumbers(row, expectedRun(ordered[i]!)));
  });

  it('the numbers printed in report.md equal the recomputed ones to the digits printed', () => {
    const check = (printed: string, exact: number | null | undefined, what: string) => {
      if (exact === null || exact === undefined) { expect([what, printed]).toEqual([what, '–']); return; }
      expect([what, printed, printedMatches(printed, exact)]).toEqual([what, printed, true]);
    };
    const main = markdownTable(md, 'Results by strategy');
    expect(main.map((r) => r[0])).toEqual(BY_QUALITY.map((s) => s.name));
    for (const row of main) {
      const w = expectedStrategy(runsOf(row[0]!));
      expect(row[2]).toBe('3');
      TYPES.forEach((t, j) => {
        const [m, s] = cellNumbers(row[3 + j]!);
        check(m!, w[`${t}_mean`], `${row[0]} ${t} mean`);
        check(s!, w[`${t}_std`], `${row[0]} ${t} std`);
      });
      check(row[7]!, w.base_rougeL, `${row[0]} base`);
      check(row[8]!.replace('+', ''), w.rougeL_mean! - w.base_rougeL!, `${row[0]} Δ base`);
      const rest = ['active_experts_per_token', 'flops_per_token', 'flops_training_per_token', 'heldout_loss', 'train_tokens_per_s', 'train_wall_s', 'eval_wall_s'];
      rest.forEach((k, j) => check(row[10 + j]!, w[k], `${row[0]} ${k}`));
    }
    for (const row of markdownTable(md, 'Bootstrap intervals')) {
      const w = expectedStrategy(runsOf(row[0]!));
      TYPES.forEach((t, j) => {
        const [lo, hi] = cellNumbers(row[1 + j]!);
        check(lo!, w[`${t}_boot_low`], `${row[0]} ${t} low`);
        check(hi!, w[`${t}_boot_high`], `${row[0]} ${t} high`);
      });
    }
    for (const row of markdownTable(md, 'Untuned base model')) {
      const w = expectedStrategy(runsOf(row[0]!));
      TYPES.forEach((t, j) => {
        check(row[1 + 2 * j]!, w[`${t}_mean`], `${row[0]} ${t} beside base`);
        check(row[2 + 2 * j]!, w[`base_${t}`], `${row[0]} base ${t}`);
      });
      check(row[9]!, w.heldout_loss, `${row[0]} held-out loss`);
      check(row[10]!, 4.25, `${row[0]} base held-out loss`);
    }
    const perRun = markdownTable(md, 'Results by run');
    expect(perRun).toHaveLength(runs.length);
    const ordered = BY_QUALITY.flatMap((s) => runsOf(s.name));
    perRun.forEach((row, i) => {
      const w = expectedRun(ordered[i]!);
      expect([row[0], Number(row[1])]).toEqual([ordered[i]!.strategy, ordered[i]!.seed]);
      TYPES.forEach((t, j) => check(row[2 + j]!, w[t], `${row[0]}/${row[1]} ${t}`));
      const [lo, hi] = cellNumbers(row[6]!);
      check(lo!, w.rougeL_boot_low, 'run rougeL low');
      check(hi!, w.rougeL_boot_high, 'run rougeL high');
      ['base_rougeL', 'active_experts_per_token', 'flops_per_token', 'flops_training_per_token', 'heldout_loss', 'train_tokens_per_s', 'train_wall_s', 'eval_wall_s']
        .forEach((k, j) => check(row[7 + j]!, w[k], `${row[0]}/${row[1]} ${k}`));
    });
  });

  it('shows 4 test examples spread over the split with the reference, the base model and each strategy\'s lowest seed', () => {
    // 24 examples, 4 shown: indices ⌊(j + ½)·24/4⌋ = 3, 9, 15, 21
    const shown = [...md.matchAll(/^### Example (\S+)$/gm)].map((m) => m[1]);
    expect(shown).toEqual(['te3', 'te9', 'te15', 'te21']);
    const t = markdownTable(md, 'Example te9');
    expect(t).toEqual([
      ['reference', 'reference of te9'],
      ['untuned base model', 'output base-model 1 0.2 of te9'],
      ...BY_QUALITY.map((s) => [s.name, `output train 1 ${s.level} of te9`]),
    ]);
  });

  it('marks the Pareto front: the cheaper strategy always, the costlier one only when it is better', () => {
    const rows = tableRows(tableFromIPC(readFileSync(join(out, 'report.arrow'))));
    const w = Object.fromEntries(STRATEGIES.map((s) => [s.name, expectedStrategy(runsOf(s.name))]));
    const [cheap, dear] = [...STRATEGIES].sort((a, b) => w[a.name]!.flops_per_token! - w[b.name]!.flops_per_token!);
    expect(rows.find((r) => r.strategy === cheap!.name)!.pareto).toBe(true);
    expect(rows.find((r) => r.strategy === dear!.name)!.pareto).toBe(w[dear!.name]!.rougeL_mean! > w[cheap!.name]!.rougeL_mean!);
  });

  it('expert-load.arrow holds the expert-load plot\'s shares, recomputed from routing-metrics.arrow', () => {
    const t = tableFromIPC(readFileSync(join(out, 'expert-load.arrow')));
    const rows = tableRows(t);
    for (const s of STRATEGIES) {
      const want = expectedExpertLoad(runsOf(s.name));
      const mine = rows.filter((r) => r.strategy === s.name);
      expect(mine).toHaveLength(Object.values(want).reduce((a, v) => a + v.length, 0));
      for (const r of mine) expect(Number(r.share)).toBeCloseTo(want[String(r.layer)]![Number(r.expert)]!, 9);
    }
  });

  it('report.html carries the same table cells as report.md', () => {
    const htmlRows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td(?: class="t")?>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<\/?code>/g, '`')));
    for (const row of markdownTable(md, 'Results by strategy')) expect(htmlRows).toContainEqual(row);
    for (const row of markdownTable(md, 'Results by run')) expect(htmlRows).toContainEqual(row);
  });

  it('states the backend, the synthetic data source, the seeds and each strategy\'s router config', () => {
    expect(md).toContain('Backend: wasm (tfjs wasm, 1 thread, tfjs 4.22.0).');
    expect(md).toMatch(/Data: \*\*the embedded synthetic corpus\*\* \(`datasets\/embedded-samsum`\), not SAMSum/);
    expect(md).toContain('Seeds: 1, 2, 3.');
    for (const s of STRATEGIES) expect(md).toContain(JSON.stringify(s.router, null, 2));
    expect(recorded.report).toMatchObject({ layout: 'sweep', runs: 6, seeds: SEEDS, synthetic: true });
  });

  it('writes the four plots as PNG and SVG, and a self-contained HTML report with them inline', () => {
    for (const name of ['rouge-vs-flops', 'expert-load', 'active-experts-histogram', 'loss-curves']) {
      const png = readFileSync(join(out, 'plots', `${name}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(readFileSync(join(out, 'plots', `${name}.svg`), 'utf8')).toMatch(/^<svg|^<\?xml/);
      expect(files).toEqual(expect.arrayContaining([`plots/${name}.png`, `plots/${name}.svg`]));
      expect(md).toContain(`(plots/${name}.png)`);
    }
    expect((html.match(/<svg/g) ?? []).length).toBe(4);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).toContain('<strong>the embedded synthetic corpus</strong>');
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });

  it('has a JSON Schema 2020-12 config that rejects unknown keys', () => {
    expect(reportStage.name).toBe('report');
    expect(reportStage.configSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(checkSchema(reportStage.configSchema, {})).toEqual([]);
    expect(checkSchema(reportStage.configSchema, { colour: 'red' }).join('\n')).toMatch(/colour/);
  });
});

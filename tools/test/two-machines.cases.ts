// Two machines sharing a remote stage cache (SWITCHYARD_CACHE_SERVER; the fixture
// tools/test/fixtures/cache-server.mjs speaks the Nx self-hosted cache protocol on 127.0.0.1).
// Each "machine" is a copy of a small workspace (the runtime package, the Nx plugin and runner,
// a smoke pipeline) with its own artifacts/ and Nx cache; node_modules is shared by a symlink.
// Shown: sharing; a down and a failing server (computed locally, one warning, uploaded later); a
// corrupted entry (never accepted, single-stage target included); its repair (the next machine
// restores the good copy without anything done on the server).
import { execa, type Result } from 'execa';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, packStageDir, unpackStageDir } from '@switchyard/runtime';
import { childEnv, repoRoot } from './nx-env.js';
// @ts-expect-error plain ESM fixture without types
import { startCacheServer } from './fixtures/cache-server.mjs';

const require = createRequire(import.meta.url);
const { loadPipeline } = require('../pipeline/pipeline-model.cjs');

type Server = { url: string; port: number; dir: string; state: { mode: string }; entries: () => string[]; close: () => Promise<void> };

const base = mkdtempSync(join(tmpdir(), 'switchyard-two-machines-'));
const nonce = 4000 + (process.pid % 5000);

function makeMachine(name: string): string {
  const m = join(base, name);
  for (const f of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.gitignore', 'tools/pipeline', 'tools/nx-plugin', 'pipelines/project.json', 'pipelines/smoke.json']) {
    cpSync(join(repoRoot, f), join(m, f), { recursive: true });
  }
  // The runtime package with its build (the smoke stages live there), so `tsc` has nothing to do.
  cpSync(join(repoRoot, 'packages/runtime'), join(m, 'packages/runtime'), { recursive: true, filter: (src) => !src.includes('/test') });
  symlinkSync(join(repoRoot, 'node_modules'), join(m, 'node_modules'));
  return m;
}

function writePipeline(machine: string, name: string, rows: number): void {
  const p = JSON.parse(readFileSync(join(repoRoot, 'pipelines', 'smoke.json'), 'utf8'));
  p.stages.source.config.rows = rows;
  writeFileSync(join(machine, 'pipelines', `${name}.json`), JSON.stringify(p, null, 2));
}

interface Run { r: Result; computed: string[]; text: string }

async function nxIn(machine: string, server: Server, args: string[]): Promise<Run> {
  const runLog = join(machine, 'runs.tsv');
  rmSync(runLog, { force: true });
  const r = await execa('npx', ['nx', ...args, '--output-style=static'], {
    cwd: machine, env: childEnv({ SWITCHYARD_CACHE_SERVER: server.url, SWITCHYARD_RUN_LOG: runLog, SWITCHYARD_CACHE_TIMEOUT_MS: '3000' }), extendEnv: false, reject: false, all: true,
  });
  const computed = existsSync(runLog) ? readFileSync(runLog, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[1]!).sort() : [];
  return { r, computed, text: String(r.all) };
}

function ok(run: Run, what: string): Run {
  if (run.r.exitCode !== 0) throw new Error(`${what} failed (exit ${run.r.exitCode}):\n${run.text}`);
  return run;
}

/** Every file of a stage folder but the manifest (whose wall time differs between machines), as bytes. */
function outputBytes(machine: string, key: string): Record<string, string> {
  const dir = join(machine, 'artifacts', 'stages', key);
  return Object.fromEntries(listFiles(dir).filter((f) => f !== 'manifest.json').map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

const keysOf = (machine: string, name: string): Record<string, string> =>
  Object.fromEntries(loadPipeline(join(machine, 'pipelines', `${name}.json`), machine).stages.map((s: { name: string; key: string }) => [s.name, s.key]));

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
const pending = (machine: string) => { const d = join(machine, 'artifacts', '.stage-cache', 'pending'); return existsSync(d) ? readdirSync(d).length : 0; };

let server: Server;
let A: string;
let B: string;
const P1 = `zz-two-${nonce}`;
const P2 = `zz-two-${nonce}-down`;
const P3 = `zz-two-${nonce}-failing`;

beforeAll(async () => {
  server = await startCacheServer(join(base, 'server'));
  A = makeMachine('a');
  B = makeMachine('b');
  for (const m of [A, B]) { writePipeline(m, P1, nonce); writePipeline(m, P2, nonce + 1); writePipeline(m, P3, nonce + 2); }
});
afterAll(async () => { await server?.close(); rmSync(base, { recursive: true, force: true }); });

describe('two machines, one stage cache', () => {
  it('shares: what machine A computed, machine B restores byte for byte', async () => {
    const a = ok(await nxIn(A, server, ['run', `pipeline:${P1}`]), 'A');
    expect(a.computed).toEqual(['smoke-source', 'smoke-summary', 'smoke-transform']);
    expect(server.entries().filter((e) => e.startsWith('swy-'))).toHaveLength(3);
    const b = ok(await nxIn(B, server, ['run', `pipeline:${P1}`]), 'B');
    expect(b.computed).toEqual([]);
    expect(count(b.text, /restored from the stage cache/g)).toBe(3);
    for (const key of Object.values(keysOf(A, P1))) expect(outputBytes(B, key)).toEqual(outputBytes(A, key));
  }, 300_000);

  it('survives a down server and a failing one: computed locally, one warning, uploaded by a later run', async () => {
    await server.close();
    const down = ok(await nxIn(A, server, ['run', `pipeline:${P2}`]), 'A with the server down');
    expect(down.computed).toEqual(['smoke-source', 'smoke-summary', 'smoke-transform']);
    expect(count(down.text, /warning: stage cache \S+ is unavailable \(ECONNREFUSED\)/g)).toBe(1);
    expect(pending(A)).toBe(3);

    server = await startCacheServer(server.dir, { port: server.port });
    server.state.mode = 'fail';
    const failing = ok(await nxIn(A, server, ['run', `pipeline:${P3}`]), 'A with a failing server');
    expect(failing.computed).toEqual(['smoke-source', 'smoke-summary', 'smoke-transform']);
    expect(count(failing.text, /warning: stage cache \S+ is unavailable \(GET \S+: HTTP 500\)/g)).toBe(1);
    expect(pending(A)).toBe(6);

    // The server is back: the next run (all from Nx's local cache) uploads the queue.
    server.state.mode = 'ok';
    const before = server.entries().length;
    ok(await nxIn(A, server, ['run', `pipeline:${P2}`]), 'A again');
    expect(pending(A)).toBe(0);
    expect(server.entries().length).toBe(before + 6);
    const b = ok(await nxIn(B, server, ['run', `pipeline:${P3}`]), 'B');
    expect(b.computed).toEqual([]);
    for (const key of Object.values(keysOf(A, P3))) expect(outputBytes(B, key)).toEqual(outputBytes(A, key));
  }, 300_000);

  it('never accepts a corrupted entry (single-stage target), recomputes it, and the next machine gets the repaired copy', async () => {
    const keys = keysOf(A, P1);
    // Corrupt the summary's entry the way a bad disk would: one byte of its Arrow file, manifest untouched.
    const entry = server.entries().find((e) => {
      const d = join(base, `probe-${e}`);
      unpackStageDir(readFileSync(join(server.dir, e)), d, e);
      return JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8')).key === keys.summary;
    })!;
    const d = join(base, `probe-${entry}`);
    const arrow = join(d, 'summary.arrow');
    const bytes = readFileSync(arrow);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(arrow, bytes);
    writeFileSync(join(server.dir, entry), packStageDir(d));

    // A third machine (fresh artifacts and Nx cache) asks for the summary only.
    const C = makeMachine('c');
    writePipeline(C, P1, nonce);
    const c = ok(await nxIn(C, server, ['run', `pipeline-${P1}:summary`]), 'C');
    expect(c.text).toMatch(new RegExp(`stage cache entry ${entry} of ${keys.summary} does not verify \\(.*summary\\.arrow: sha256 [0-9a-f]+ does not match`));
    expect(c.computed).toEqual(['smoke-summary']);
    expect(outputBytes(C, keys.summary)).toEqual(outputBytes(A, keys.summary));
    expect(server.entries()).toContain(`${entry}-r1`);

    // Repair without touching the server: a fourth machine skips the bad entry and restores the good one.
    const D = makeMachine('d');
    writePipeline(D, P1, nonce);
    const dRun = ok(await nxIn(D, server, ['run', `pipeline-${P1}:summary`]), 'D');
    expect(dRun.computed).toEqual([]);
    expect(outputBytes(D, keys.summary)).toEqual(outputBytes(A, keys.summary));
  }, 300_000);
});


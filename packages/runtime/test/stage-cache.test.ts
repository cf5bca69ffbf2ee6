// The remote stage cache client (src/stage-cache.ts), its archive (src/stage-archive.ts) and the
// resumable work folder (src/stage-work-dir.ts), against the protocol fixture on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { commitStageOutput, MANIFEST } from '../src/stage-output.js';
import { packStageDir, unpackStageDir } from '../src/stage-archive.js';
import { RemoteStageCache, entryId } from '../src/stage-cache.js';
import { openWorkDir, StageBusyError } from '../src/stage-work-dir.js';
// @ts-expect-error plain ESM fixture without types
import { startCacheServer } from '../../../tools/test/fixtures/cache-server.mjs';

const root = mkdtempSync(join(tmpdir(), 'switchyard-stage-cache-'));

/** A committed stage folder `key` holding one file. */
function stage(parent: string, key: string, content: string): string {
  const tmp = join(parent, `.tmp-${key}`);
  mkdirSync(join(tmp, 'sub'), { recursive: true });
  writeFileSync(join(tmp, 'sub', 'data.txt'), content);
  commitStageOutput(tmp, join(parent, key), { stage: 'x', package: 'p', packageVersion: '0', key, config: {}, seed: 0, backend: null, inputs: {}, wallTimeSeconds: 0, finishedAt: '', extra: {} });
  return join(parent, key);
}

describe('stage archive', () => {
  it('round-trips a folder and refuses path escapes, short and trailing bytes', () => {
    const dir = stage(root, 'arch-1', 'hello');
    const out = join(root, 'arch-out');
    unpackStageDir(packStageDir(dir), out, 'blob');
    expect(readFileSync(join(out, 'sub', 'data.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(out, MANIFEST), 'utf8')).toBe(readFileSync(join(dir, MANIFEST), 'utf8'));
    const raw = (files: unknown, body: string) => gzipSync(Buffer.from(`switchyard-stage-archive/1\n${JSON.stringify({ files })}\n${body}`));
    expect(() => unpackStageDir(raw([{ path: '../evil', bytes: 1 }], 'x'), join(root, 'a1'), 'blob')).toThrow('blob: bad archive entry {"path":"../evil","bytes":1}');
    expect(() => unpackStageDir(raw([{ path: 'f', bytes: 5 }], 'ab'), join(root, 'a2'), 'blob')).toThrow('blob: f is cut short (2 of 5 bytes)');
    expect(() => unpackStageDir(raw([{ path: 'f', bytes: 1 }], 'ab'), join(root, 'a3'), 'blob')).toThrow('blob: 1 bytes after the last file');
    expect(() => unpackStageDir(Buffer.from('not gzip'), join(root, 'a4'), 'blob')).toThrow(/^blob: not a gzip stream/);
  });
});

describe('remote stage cache', () => {
  it('uploads, restores a verified copy, skips an entry of another stage and repairs into the next slot', async () => {
    const server = await startCacheServer(join(root, 'server-1'));
    const lines: string[] = [];
    const cache = new RemoteStageCache({ server: server.url, stateDir: join(root, 'state-1'), log: (l) => lines.push(l) });
    try {
      const local = join(root, 'machine-1');
      mkdirSync(local);
      await cache.save({ taskHash: 'h1', key: 'k1' }, stage(local, 'k1', 'one'));
      expect(server.entries()).toEqual([entryId('h1', 0)]);

      const other = join(root, 'machine-2');
      mkdirSync(other);
      const m = await new RemoteStageCache({ server: server.url, stateDir: join(root, 'state-2'), log: (l) => lines.push(l) }).restore({ taskHash: 'h1', key: 'k1' }, join(other, 'k1'));
      expect(m?.key).toBe('k1');
      expect(readFileSync(join(other, 'k1', 'sub', 'data.txt'), 'utf8')).toBe('one');

      // An entry holding another stage's (valid) output is not accepted for k2.
      writeFileSync(join(server.dir, entryId('h2', 0)), packStageDir(join(local, 'k1')));
      const fresh = new RemoteStageCache({ server: server.url, stateDir: join(root, 'state-3'), log: (l) => lines.push(l) });
      expect(await fresh.restore({ taskHash: 'h2', key: 'k2' }, join(other, 'k2'))).toBeUndefined();
      expect(existsSync(join(other, 'k2'))).toBe(false);
      expect(lines.at(-1)).toBe(`switchyard: warning: stage cache entry swy-h2 of k2 does not verify (manifest is for stage k1, expected k2); ignoring it — this stage is recomputed and uploaded as swy-h2-r1`);
      await fresh.save({ taskHash: 'h2', key: 'k2' }, stage(local, 'k2', 'two'));
      expect(server.entries()).toEqual(['swy-h1', 'swy-h2', 'swy-h2-r1']);
      // The next reader skips the bad entry and takes the repaired one; uploading a stage already there sends nothing.
      const again = new RemoteStageCache({ server: server.url, stateDir: join(root, 'state-4'), log: () => {} });
      expect((await again.restore({ taskHash: 'h2', key: 'k2' }, join(other, 'k2')))?.key).toBe('k2');
      expect(readFileSync(join(other, 'k2', 'sub', 'data.txt'), 'utf8')).toBe('two');
      await again.save({ taskHash: 'h1', key: 'k1' }, join(local, 'k1'));
      expect(server.state.requests.at(-1)).toBe('GET swy-h1');
      // A dropped connection (a kept-alive socket the server closed) is retried, not taken for an outage.
      server.state.resets = 2;
      const retried = new RemoteStageCache({ server: server.url, stateDir: join(root, 'state-5'), log: (l) => lines.push(l) });
      const n = lines.length;
      await retried.save({ taskHash: 'h3', key: 'k3' }, stage(local, 'k3', 'three'));
      expect(lines.length).toBe(n);
      expect(server.entries()).toContain('swy-h3');
      expect(server.state.requests.filter((r) => r === 'GET swy-h3')).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('with the server down: one warning per run, a queue, and the upload once it is back', async () => {
    const server = await startCacheServer(join(root, 'server-2'));
    const port = server.port;
    await server.close();
    const lines: string[] = [];
    const opts = { server: `http://127.0.0.1:${port}`, stateDir: join(root, 'state-down'), log: (l: string) => lines.push(l), runId: 'run-1' };
    const local = join(root, 'machine-down');
    mkdirSync(local);
    // Two stage processes of one run: the first warns, the second neither waits nor warns.
    for (const k of ['d1', 'd2']) {
      const c = new RemoteStageCache(opts);
      expect(await c.restore({ taskHash: `h-${k}`, key: k }, join(local, k))).toBeUndefined();
      await c.save({ taskHash: `h-${k}`, key: k }, stage(local, k, k));
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^switchyard: warning: stage cache http:\/\/127\.0\.0\.1:\d+ is unavailable \(ECONNREFUSED\); computing locally\./);
    expect(new RemoteStageCache(opts).pending().map((r) => r.key).sort()).toEqual(['d1', 'd2']);

    const back = await startCacheServer(join(root, 'server-2'), { port });
    try {
      // The same run still leaves it alone; the next run uploads the queue.
      expect((await new RemoteStageCache(opts).push(local)).uploaded).toBe(0);
      const next = new RemoteStageCache({ ...opts, runId: 'run-2' });
      expect(await next.push(local)).toEqual({ uploaded: 2, dropped: 0, left: 0 });
      expect(back.entries()).toEqual(['swy-h-d1', 'swy-h-d2']);
      expect(next.pending()).toEqual([]);
    } finally {
      await back.close();
    }
  });
});

describe('resumable work folder', () => {
  const stages = join(root, 'stages');
  const quiet = () => {};

  it('is reused only by a resumable stage with the same key and task hash', async () => {
    const w1 = await openWorkDir(stages, { key: 'k', taskHash: 'a' }, true, quiet);
    expect(w1.resumed).toBe(false);
    writeFileSync(join(w1.out, 'checkpoint'), '1');
    // Same identity: kept.
    expect((await openWorkDir(stages, { key: 'k', taskHash: 'a' }, true, quiet)).resumed).toBe(true);
    expect(existsSync(join(w1.out, 'checkpoint'))).toBe(true);
    // Not resumable: emptied.
    expect((await openWorkDir(stages, { key: 'k', taskHash: 'a' }, false, quiet)).resumed).toBe(false);
    expect(existsSync(join(w1.out, 'checkpoint'))).toBe(false);
    writeFileSync(join(w1.out, 'checkpoint'), '1');
    // Code or inputs changed (another Nx task hash): emptied, and said why.
    const log: string[] = [];
    expect((await openWorkDir(stages, { key: 'k', taskHash: 'b' }, true, (m) => log.push(m))).resumed).toBe(false);
    expect(log).toEqual(['discarding the work folder of an interrupted run (inputs or code changed (task hash a → b))']);
    expect(existsSync(join(w1.out, 'checkpoint'))).toBe(false);
  });

  it('waits for a live owner on this host and then refuses', async () => {
    const owner = spawn('sleep', ['30']);
    try {
      const dir = join(stages, '.work-busy');
      mkdirSync(join(dir, 'out'), { recursive: true });
      writeFileSync(join(dir, 'work.json'), JSON.stringify({ key: 'busy', taskHash: null, pid: owner.pid, host: hostname(), startedAt: 'earlier' }));
      const log: string[] = [];
      await expect(openWorkDir(stages, { key: 'busy', taskHash: null }, true, (m) => log.push(m), 300)).rejects.toThrow(StageBusyError);
      expect(log).toEqual([`waiting for process ${owner.pid} (an earlier run of this stage) to exit`]);
      owner.kill('SIGKILL');
      await new Promise((r) => owner.once('exit', r));
      // A dead owner (kill -9) is no obstacle, and its folder is resumed.
      expect((await openWorkDir(stages, { key: 'busy', taskHash: null }, true, quiet, 300)).resumed).toBe(true);
    } finally {
      owner.kill('SIGKILL');
    }
  });
});

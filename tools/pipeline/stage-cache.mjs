#!/usr/bin/env node
// The remote stage cache by hand (server from SWITCHYARD_CACHE_SERVER):
//   stage-cache.mjs status   what is queued for upload (stages computed while the server was down)
//   stage-cache.mjs push     upload the queue now
// Bad entries need no command: a run that meets one ignores it, recomputes the stage and uploads
// the good copy to the next slot (packages/runtime/src/stage-cache.ts).
import { join, resolve } from 'node:path';
import { stageCacheFromEnv } from '@switchyard/runtime';

const root = resolve(new URL('../..', import.meta.url).pathname);
const artifactsDir = join(root, 'artifacts');
const cmd = process.argv[2];
const cache = stageCacheFromEnv(artifactsDir, (l) => process.stderr.write(`${l}\n`));
if (!cache) { process.stderr.write('stage-cache: set SWITCHYARD_CACHE_SERVER=http://host:port (and SWITCHYARD_CACHE_TOKEN if the server wants one)\n'); process.exit(2); }
if (cmd === 'status') {
  const p = cache.pending();
  process.stdout.write(`${cache.o.server}: ${p.length} stage(s) queued for upload${p.length ? `\n  ${p.map((r) => r.key).join('\n  ')}` : ''}\n`);
} else if (cmd === 'push') {
  cache.forgetOffline();
  const n = await cache.push(join(artifactsDir, 'stages'));
  process.stdout.write(`${cache.o.server}: uploaded ${n.uploaded}, dropped ${n.dropped} (output gone or no longer verifies), still queued ${n.left}\n`);
  process.exit(n.left ? 1 : 0);
} else {
  process.stderr.write('usage: stage-cache.mjs status|push\n');
  process.exit(2);
}

// The one atomic writer (packages/runtime/src/atomic-folder.ts): a folder appears complete or not
// at all, a failed fill leaves the old folder untouched, and no temporary sibling survives.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  removeStaleTemps, writeFileAtomically, writeFilesAtomically, writeFolderAtomically, writeFolderAtomicallySync,
} from '@switchyard/runtime';

const scratch = () => mkdtempSync(join(tmpdir(), 'switchyard-atomic-'));
const tree = (dir: string) => readdirSync(dir).sort();

it('builds a folder beside its target and renames it into place, replacing the old one', async () => {
  const root = scratch();
  const target = join(root, 'out');
  mkdirSync(target);
  writeFileSync(join(target, 'stale.txt'), 'old');
  let seenDuringFill: string[] = [];
  const result = await writeFolderAtomically(target, async (tmp) => {
    writeFileSync(join(tmp, 'a.txt'), 'A');
    mkdirSync(join(tmp, 'sub'));
    writeFileSync(join(tmp, 'sub', 'b.txt'), 'B');
    seenDuringFill = tree(root);
    return 42;
  });
  expect(result).toBe(42);
  // While filling, the old target was still complete and the new folder had a temporary name.
  expect(seenDuringFill).toEqual([`.tmp-out-${process.pid}`, 'out']);
  expect(tree(target)).toEqual(['a.txt', 'sub']);
  expect(readFileSync(join(target, 'sub', 'b.txt'), 'utf8')).toBe('B');
  expect(tree(root)).toEqual(['out']);
});

it('leaves the old folder untouched and removes the temporary one when the fill fails', async () => {
  const root = scratch();
  const target = join(root, 'ckpt');
  writeFilesAtomically(target, { 'config.json': '{"v":1}\n' });
  await expect(writeFolderAtomically(target, (tmp) => { writeFileSync(join(tmp, 'config.json'), 'half'); throw new Error('disk full'); })).rejects.toThrow('disk full');
  expect(() => writeFolderAtomicallySync(target, () => { throw new Error('sync failure'); })).toThrow('sync failure');
  expect(tree(root)).toEqual(['ckpt']);
  expect(readFileSync(join(target, 'config.json'), 'utf8')).toBe('{"v":1}\n');
});

it('writes lazy file contents one at a time, in key order', () => {
  const root = scratch();
  const calls: string[] = [];
  writeFilesAtomically(join(root, 'm'), {
    'first.bin': () => { calls.push('first'); return new Uint8Array([1, 2, 3]); },
    'second.txt': () => { calls.push(`second (first written: ${existsSync(join(root, `.tmp-m-${process.pid}`, 'first.bin'))})`); return 'x'; },
  });
  expect(calls).toEqual(['first', 'second (first written: true)']);
  expect([...readFileSync(join(root, 'm', 'first.bin'))]).toEqual([1, 2, 3]);
});

it('replaces a single file atomically and clears leftovers of killed writers', () => {
  const root = scratch();
  writeFileAtomically(join(root, 'f.json'), 'one');
  writeFileAtomically(join(root, 'f.json'), 'two');
  expect(readFileSync(join(root, 'f.json'), 'utf8')).toBe('two');
  for (const d of ['.tmp-a-1', '.trash-a-1-2', '.tmp-b-1', 'keep']) mkdirSync(join(root, d));
  removeStaleTemps(root, 'a');
  expect(tree(root)).toEqual(['.tmp-b-1', 'f.json', 'keep']);
  removeStaleTemps(root);
  expect(tree(root)).toEqual(['f.json', 'keep']);
});

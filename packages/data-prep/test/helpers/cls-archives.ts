// Builders for the tiny archives the classification loader tests read: a gzip'd tar (tar-stream
// pack, the format of aclImdb_v1.tar.gz) and a zip (fflate, the format of the SST trees zip).
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { zipSync } from 'fflate';

/** Write `files` (name → content) as a .tar.gz (or plain .tar when gzip is false). */
export async function writeTarGz(path: string, files: Record<string, string | Uint8Array>, gzip = true): Promise<void> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((res, rej) => { p.on('data', (c: unknown) => { chunks.push(c as Buffer); }); p.on('end', () => res()); p.on('error', rej); });
  for (const [name, content] of Object.entries(files)) {
    await new Promise<void>((res, rej) => p.entry({ name }, Buffer.from(content), (e) => (e ? rej(e) : res())));
  }
  p.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  writeFileSync(path, gzip ? gzipSync(tar) : tar);
}

export function writeZip(path: string, files: Record<string, string | Uint8Array>): void {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, content] of Object.entries(files)) entries[name] = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  writeFileSync(path, zipSync(entries));
}

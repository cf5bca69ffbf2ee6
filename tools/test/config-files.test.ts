// Config files given to the commands (switchyard data-prep / train) with a JSON syntax error or a
// duplicate key are refused naming the file, the line and the column — not a character offset —
// before any work starts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDataPrepCommand } from '@switchyard/data-prep';
import { runTrainCommand } from '@switchyard/train';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-configfile-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

it('data-prep: a syntax error names file, line and column', async () => {
  const cfg = file('dp.json', '{\n  "source": "embedded",\n  "maxRows": { "train": 4 "test": 4 }\n}\n');
  await expect(runDataPrepCommand({ config: cfg, out: join(dir, 'dp-out'), log: () => {} }))
    .rejects.toThrow(`${cfg}:3:27: malformed JSON: expected ',' or '}' after a property value, found '"'`);
});

it('train: a duplicate key names both lines; an empty file is called empty', async () => {
  const dup = file('train.json', '{\n  "router": { "type": "smoe" },\n  "steps": 2,\n  "router": { "type": "xmoe" }\n}\n');
  const opts = { data: dir, base: dir, out: join(dir, 'train-out'), log: () => {} };
  await expect(runTrainCommand({ ...opts, config: dup })).rejects.toThrow(`${dup}:4:3: duplicate key "router" (also on line 2); each key may appear once per object`);
  const empty = file('empty.json', '');
  await expect(runTrainCommand({ ...opts, config: empty })).rejects.toThrow(`${empty}: the file is empty (expected JSON)`);
});

// The `switchyard` command line as a user runs it (issue 2, must-show 6).
import { execa } from 'execa';
import { childEnv, repoRoot } from './nx-env.js';

const cli = (args: string[], env: Record<string, string> = {}) =>
  execa('npx', ['switchyard', ...args], { cwd: repoRoot, env: childEnv(env), reject: false, all: true });

describe('switchyard CLI', () => {
  it('lists its subcommands', async () => {
    const r = await cli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const c of ['backend', 'stage']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('rejects unknown commands and options with a usage hint', async () => {
    const a = await cli(['frobnicate']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/unknown command 'frobnicate'[\s\S]*switchyard --help/);
    const b = await cli(['backend', '--fast']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/unknown option '--fast'/);
  });

  it.each(['cpu', 'wasm'])('activates and reports the %s backend from SWITCHYARD_BACKEND', async (name) => {
    const r = await cli(['backend', '--json'], { SWITCHYARD_BACKEND: name });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe(name);
    expect(r.stderr).toMatch(new RegExp(`switchyard: backend ${name} \\(tfjs ${name} 4\\.22\\.0\\), \\d+ threads?`));
  });

  it('rejects an unknown backend clearly, from env and from --backend', async () => {
    const a = await cli(['backend'], { SWITCHYARD_BACKEND: 'tpu' });
    expect(a.exitCode).toBe(1);
    expect(a.stderr).toContain('unknown backend "tpu" (from SWITCHYARD_BACKEND); allowed: node-gpu, node, wasm, cpu');
    const b = await cli(['--backend', 'gpu', 'backend']);
    expect(b.stderr).toContain('unknown backend "gpu" (from --backend)');
  });
});

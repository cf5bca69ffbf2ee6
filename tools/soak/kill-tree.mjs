// SIGKILL a process and every descendant at once (what a crash or the OOM killer does). Killing
// only `nx`'s process group is not enough: Nx runs each task in its own pseudo-terminal session.
import { execFileSync } from 'node:child_process';

/** Descendants of `pid` (children first found by walking `ps` output), `pid` included. */
export function processTree(pid) {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map();
  for (const line of out.split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!p) continue;
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp).push(p);
  }
  const all = [];
  const stack = [pid];
  while (stack.length) { const p = stack.pop(); all.push(p); stack.push(...(children.get(p) ?? [])); }
  return all;
}

/** Stop the whole tree first (SIGSTOP, so nothing forks or exits meanwhile), then SIGKILL it. Returns the pids killed. */
export function killTree(pid) {
  const pids = processTree(pid);
  for (const p of pids) { try { process.kill(p, 'SIGSTOP'); } catch { /* gone */ } }
  const again = [...new Set([...pids, ...processTree(pid)])];
  for (const p of again) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
  return again;
}

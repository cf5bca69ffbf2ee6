// The table `switchyard flops` prints: one row per routing strategy with its active experts per
// token and forward / training FLOPs per token (and the measured MoE-layer time with --measure).
const sci = (x) => (Number.isFinite(x) ? x.toExponential(3) : 'n/a');

/** Rows of runFlopsCommand → an aligned plain-text table (one line per row, ends with a newline). */
export function formatFlopsTable(rows) {
  const timed = rows.some((r) => r.timing);
  const head = ['router', 'source', 'k', 'active experts', 'fwd FLOPs/token', 'train FLOPs/token', ...(timed ? ['fwd µs/token'] : [])];
  const body = rows.map((r) => [
    r.router,
    r.source,
    r.k === null ? '-' : String(r.k),
    r.meanActive.toFixed(3),
    sci(r.report.perToken.forwardAll),
    sci(r.report.perToken.trainingAll),
    ...(timed ? [r.timing ? r.timing.forwardUsPerToken.toFixed(2) : ''] : []),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? String(c).padEnd(width[i]) : String(c).padStart(width[i]))).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

// Line-based progress for stage logs: `<what> 40/150 (27%) | <fields…> | 5.2 <unit>/s | ETA 1m05s`.
// Whole lines rather than a redrawn bar, so a terminal, Nx's streamed task output and a plain log
// file read the same; rate-limited by time (the first and the last update always print).

/** 42 → "42s", 65 → "1m05s", 3720 → "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export interface ProgressOptions {
  /** Units of work in all. */
  total: number;
  /** What is counted, first word of the line (e.g. "generated", "step"). */
  what: string;
  /** Rate unit (e.g. "dialogues"); omit to leave the rate out. */
  unit?: string;
  log: (line: string) => void;
  /** Least time between two printed lines. Defaults to 5000 ms. */
  minIntervalMs?: number;
  /** Work already done when this starts (a resumed run): not counted in the rate. */
  startDone?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

export class ProgressLine {
  private readonly now: () => number;
  private readonly started: number;
  private readonly startDone: number;
  private lastPrinted = -Infinity;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? (() => Date.now());
    this.started = this.now();
    this.startDone = o.startDone ?? 0;
  }

  /** Units per second since the start, or null before any unit is done. */
  rate(done: number): number | null {
    const sec = (this.now() - this.started) / 1000;
    const n = done - this.startDone;
    return n > 0 && sec > 0 ? n / sec : null;
  }

  /** Seconds left at the rate so far, or null when unknown. */
  etaSeconds(done: number): number | null {
    const r = this.rate(done);
    return r ? Math.max(0, this.o.total - done) / r : null;
  }

  /** The line for `done`, without printing it. */
  format(done: number, fields: readonly string[] = []): string {
    const pct = this.o.total > 0 ? ` (${Math.floor((100 * done) / this.o.total)}%)` : '';
    const parts = [`${this.o.what} ${done}/${this.o.total}${pct}`, ...fields];
    const r = this.rate(done);
    if (this.o.unit && r !== null) parts.push(`${r >= 10 ? Math.round(r).toLocaleString('en-US') : r.toFixed(1)} ${this.o.unit}/s`);
    if (done < this.o.total) {
      const eta = this.etaSeconds(done);
      parts.push(`ETA ${eta === null ? '?' : formatDuration(eta)}`);
    } else {
      parts.push(`took ${formatDuration((this.now() - this.started) / 1000)}`);
    }
    return parts.join(' | ');
  }

  /** Print the line for `done` if the interval has passed (or it is the last, or `force`). Returns whether it printed. */
  update(done: number, fields: readonly string[] = [], force = false): boolean {
    const t = this.now();
    const due = force || done >= this.o.total || this.lastPrinted === -Infinity || t - this.lastPrinted >= (this.o.minIntervalMs ?? 5000);
    if (!due) return false;
    this.lastPrinted = t;
    this.o.log(this.format(done, fields));
    return true;
  }
}

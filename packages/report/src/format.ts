// Number formats shared by report.md and report.html, so both print the same digits.

/** An eval metric (already scaled) with its record's decimals; ROUGE ×100: two. */
export const fmtMetric = (x: number | null | undefined, digits = 2): string => (x == null ? '–' : x.toFixed(digits));
/** Active experts: three decimals. */
export const fmtActive = (x: number | null | undefined): string => (x == null ? '–' : x.toFixed(3));
/** FLOPs: four significant digits in exponent form (1.234e+6). */
export const fmtFlops = (x: number | null | undefined): string => (x == null ? '–' : x.toExponential(3));
/** Throughput and wall times: one decimal. */
export const fmtOne = (x: number | null | undefined): string => (x == null ? '–' : x.toFixed(1));
/** Loss: four decimals. */
export const fmtLoss = (x: number | null | undefined): string => (x == null ? '–' : x.toFixed(4));
/** Mean ± std, or the mean alone when there is no spread (one seed). */
export const fmtMeanStd = (m: number | null | undefined, s: number | null | undefined, digits = 2): string => (s == null ? fmtMetric(m, digits) : `${fmtMetric(m, digits)} ± ${fmtMetric(s, digits)}`);
/** An interval (e.g. bootstrap). */
export const fmtInterval = (lo: number | null | undefined, hi: number | null | undefined, digits = 2): string => (lo == null || hi == null ? '–' : `[${fmtMetric(lo, digits)}, ${fmtMetric(hi, digits)}]`);
/** A difference with its sign (+1.23, -0.45) in the metric's decimals. */
export const fmtSigned = (x: number | null | undefined, digits = 2): string => (x == null ? '–' : `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`);
/** A signed interval ("[-0.41, +1.20]"). */
export const fmtSignedInterval = (lo: number | null | undefined, hi: number | null | undefined, digits = 2): string => (lo == null || hi == null ? '–' : `[${fmtSigned(lo, digits)}, ${fmtSigned(hi, digits)}]`);

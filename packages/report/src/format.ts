// Number formats shared by report.md and report.html, so both print the same digits.

/** ROUGE (already ×100): two decimals. */
export const fmtRouge = (x: number | null): string => (x === null ? '–' : x.toFixed(2));
/** Active experts: three decimals. */
export const fmtActive = (x: number | null): string => (x === null ? '–' : x.toFixed(3));
/** FLOPs: four significant digits in exponent form (1.234e+6). */
export const fmtFlops = (x: number | null): string => (x === null ? '–' : x.toExponential(3));
/** Throughput and wall times: one decimal. */
export const fmtOne = (x: number | null): string => (x === null ? '–' : x.toFixed(1));
/** Loss: four decimals. */
export const fmtLoss = (x: number | null): string => (x === null ? '–' : x.toFixed(4));
/** Mean ± std, or the mean alone when there is no spread (one seed). */
export const fmtMeanStd = (m: number | null, s: number | null): string => (s === null ? fmtRouge(m) : `${fmtRouge(m)} ± ${fmtRouge(s)}`);
/** Bootstrap interval. */
export const fmtInterval = (lo: number | null, hi: number | null): string => (lo === null || hi === null ? '–' : `[${fmtRouge(lo)}, ${fmtRouge(hi)}]`);

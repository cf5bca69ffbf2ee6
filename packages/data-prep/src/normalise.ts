// Text normalisation before tokenising. Defaults are chosen so ROUGE against the stored
// summaries is unchanged (rouge_score ignores `\r` and surrounding whitespace): `\r\n` → `\n`
// and trimming. The T5 recipe prepends "summarize: " to the model input only; the stored
// `dialogue` column stays without it.
export interface NormaliseConfig {
  /** "lf": `\r\n` and lone `\r` become `\n`; "keep": leave line ends. Defaults to "lf". */
  lineEnds: 'lf' | 'keep';
  /**
   * "trim": strip leading/trailing whitespace of the whole text; "collapse": also trim every
   * line and squeeze runs of spaces/tabs to one space (drops empty lines); "keep": as is.
   * Defaults to "trim".
   */
  whitespace: 'trim' | 'collapse' | 'keep';
  /** Prepended to the dialogue for the model input (T5: "summarize: "). Defaults to "summarize: ". */
  prefix: string;
  /** Max input_ids length incl. eos; longer inputs are cut and end in eos. Defaults to 512. */
  maxSourceLength: number;
  /** Max labels length incl. eos. Defaults to 128. */
  maxTargetLength: number;
}

export const DEFAULT_NORMALISE: NormaliseConfig = { lineEnds: 'lf', whitespace: 'trim', prefix: 'summarize: ', maxSourceLength: 512, maxTargetLength: 128 };

export function normaliseText(text: string, cfg: Pick<NormaliseConfig, 'lineEnds' | 'whitespace'>): string {
  let t = cfg.lineEnds === 'lf' ? text.replace(/\r\n?/g, '\n') : text;
  if (cfg.whitespace === 'collapse') {
    t = t.split(/\r?\n/).map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim()).filter((l) => l !== '').join(cfg.lineEnds === 'lf' ? '\n' : (/\r\n/.test(t) ? '\r\n' : '\n'));
  }
  if (cfg.whitespace !== 'keep') t = t.trim();
  return t;
}

/** Cut to `max` ids keeping room for eos, then append eos. Returns whether it was cut. */
export function withEos(ids: number[], eosId: number, max: number): { ids: number[]; truncated: boolean } {
  const truncated = ids.length + 1 > max;
  const body = truncated ? ids.slice(0, max - 1) : ids;
  return { ids: [...body, eosId], truncated };
}

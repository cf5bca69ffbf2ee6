// Optional sentence splitting before ROUGE-Lsum. HF's summarisation recipe
// (transformers examples/pytorch/summarization/run_summarization.py, `postprocess_text`) joins
// `nltk.sent_tokenize(text.strip())` with "\n" so that rougeLsum sees one sentence per line.
// The punkt model is not available here, so this is a small documented rule set instead; it
// will not agree with punkt on every text (punkt learns abbreviations and orthography).
//
// Rules: a sentence ends after a run of `.`, `!`, `?` or `…` (optionally followed by closing
// quotes/brackets) when whitespace follows and the next non-space character is not a
// lower-case letter. No break after a known abbreviation (Mr. Dr. e.g. ...), after a single
// letter + `.` (initials: "J. Smith"), or inside numbers ("3.5" has no space). Existing line
// breaks stay breaks. Only the whitespace between sentences is replaced (by "\n") and the
// text is trimmed, so rouge1/rouge2/rougeL tokens are unchanged; only rougeLsum differs.

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'cf', 'al',
  'no', 'inc', 'ltd', 'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep',
  'sept', 'oct', 'nov', 'dec', 'approx', 'dept', 'est', 'fig', 'gen', 'gov', 'lt', 'sgt', 'capt',
  'col', 'rev', 'u.s', 'u.k', 'a.m', 'p.m',
]);

// Candidate boundary: terminal punctuation, optional closers, then whitespace.
const BOUNDARY = /([.!?\u2026]+)(["'\u201d\u2019)\]]*)(\s+)/g;

function endsWithAbbreviation(before: string): boolean {
  const m = /(?:^|[\s("'\u201c\u2018])([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)$/.exec(before);
  if (m === null) return false;
  const word = m[1]!;
  if (word.length === 1) return true; // an initial such as "J."
  return ABBREVIATIONS.has(word.toLowerCase());
}

/** Split `text` into sentences (rule-based stand-in for `nltk.sent_tokenize`). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let start = 0;
    BOUNDARY.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = BOUNDARY.exec(line)) !== null) {
      const punctEnd = m.index + m[1]!.length + m[2]!.length;
      const nextChar = line[punctEnd + m[3]!.length];
      if (nextChar === undefined) break; // trailing whitespace: the line ends anyway
      if (/\p{Ll}/u.test(nextChar)) continue;
      if (m[1] === '.' && endsWithAbbreviation(line.slice(start, m.index))) continue;
      out.push(line.slice(start, punctEnd));
      start = punctEnd + m[3]!.length;
    }
    out.push(line.slice(start));
  }
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** HF recipe form: sentences of the trimmed text joined by "\n". */
export function splitSentencesToLines(text: string): string {
  return splitSentences(text.trim()).join('\n');
}

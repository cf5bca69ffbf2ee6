// One line of the Stanford Sentiment Treebank's PTB files: a binarised tree in which every node
// carries a sentiment label 0–4, e.g. `(3 (2 (2 The) (2 Rock)) (4 (3 (2 is) ...)))`.
//   tree := "(" label WS ( word | tree (WS tree)* ) ")"
// label is one digit 0–4; a word is a run of characters other than whitespace and parentheses
// (the treebank writes brackets as -LRB- / -RRB-). Whitespace between parts may be any run.

export interface SentimentTree {
  label: number;
  /** The word of a leaf; undefined for an inner node. */
  word?: string;
  children: SentimentTree[];
}

/** A syntax error at a 0-based character offset of the line. */
export class TreeSyntaxError extends Error {
  constructor(readonly column: number, reason: string) {
    super(`column ${column + 1}: ${reason}`);
    this.name = 'TreeSyntaxError';
  }
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r';
const isWordChar = (c: string | undefined) => c !== undefined && c !== '(' && c !== ')' && !isSpace(c) && c !== '\n';

export function parseSentimentTree(line: string): SentimentTree {
  let i = 0;
  const skip = () => { while (isSpace(line[i])) i++; };
  const token = () => { const s = i; while (isWordChar(line[i])) i++; return line.slice(s, i); };
  const shown = (c: string | undefined) => (c === undefined ? 'the end of the line' : JSON.stringify(c));
  const node = (): SentimentTree => {
    if (line[i] !== '(') throw new TreeSyntaxError(i, `expected "(", found ${shown(line[i])}`);
    i++;
    skip();
    const at = i;
    const lab = token();
    if (!/^[0-4]$/.test(lab)) throw new TreeSyntaxError(at, lab === '' ? `expected a label 0-4, found ${shown(line[i])}` : `label ${JSON.stringify(lab)}, expected 0-4`);
    const label = Number(lab);
    if (!isSpace(line[i])) throw new TreeSyntaxError(i, `expected a space after the label, found ${shown(line[i])}`);
    skip();
    const children: SentimentTree[] = [];
    let word: string | undefined;
    if (line[i] === '(') {
      while (line[i] === '(') { children.push(node()); skip(); }
    } else {
      const w = token();
      if (w === '') throw new TreeSyntaxError(i, `expected a word or "(", found ${shown(line[i])}`);
      word = w;
      skip();
    }
    if (line[i] !== ')') throw new TreeSyntaxError(i, `expected ")", found ${shown(line[i])}`);
    i++;
    return word === undefined ? { label, children } : { label, word, children };
  };
  skip();
  const tree = node();
  skip();
  if (i < line.length) throw new TreeSyntaxError(i, `text after the tree: ${JSON.stringify(line.slice(i, i + 20))}`);
  return tree;
}

/** The words at the leaves, left to right. */
export function treeLeaves(tree: SentimentTree): string[] {
  const out: string[] = [];
  const stack = [tree];
  while (stack.length) {
    const t = stack.pop()!;
    if (t.word !== undefined) out.push(t.word);
    for (let k = t.children.length - 1; k >= 0; k--) stack.push(t.children[k]!);
  }
  return out;
}

// Blocks → Markdown. Plots are linked as their PNG (with the SVG next to it).
import type { Block } from './document.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'h': out.push(`${'#'.repeat(b.level)} ${b.text}`); break;
      case 'p': out.push(b.text); break;
      case 'list': out.push(b.items.map((i) => `- ${i}`).join('\n')); break;
      case 'code': out.push('```json\n' + b.text + '\n```'); break;
      case 'quote': out.push(b.text.split('\n').map((l) => `> ${l}`).join('  \n')); break;
      case 'plot': out.push(`![${b.plot.title}](plots/${b.plot.name}.png) ([SVG](plots/${b.plot.name}.svg))`); break;
      case 'table':
        out.push([
          `| ${b.header.map(cell).join(' | ')} |`,
          `|${b.header.map(() => ' --- ').join('|')}|`,
          ...b.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
        ].join('\n'));
        break;
    }
  }
  return out.join('\n\n') + '\n';
}

// Blocks → one self-contained HTML file: inline CSS, plots as inline SVG, no external resources.
import type { Block } from './document.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The little inline Markdown the blocks use: `code` and **bold**. */
function inline(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** Numbers, intervals and blanks stay right-aligned; text (outputs, names) is left-aligned. */
const isNumeric = (c: string) => /^(?:[-+]?\d|\[|–$|\d)/.test(c.trim());

/** vega's SVG may start with an XML declaration, which is invalid inside HTML. */
const svgBody = (svg: string) => svg.replace(/^<\?xml[^>]*>\s*/, '');

const STYLE = `body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:0.25em 0.5em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child,td.t{text-align:left}pre{background:#f6f6f6;padding:0.5em;overflow:auto}
figure{margin:1.5em 0}figcaption{font-size:0.9em;color:#555}
blockquote{white-space:pre-wrap;border-left:3px solid #ccc;margin:0.5em 0;padding:0.25em 1em;color:#444}`;

export function renderHtml(blocks: Block[], title: string): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'h': out.push(`<h${b.level}>${inline(b.text)}</h${b.level}>`); break;
      case 'p': out.push(`<p>${inline(b.text)}</p>`); break;
      case 'list': out.push(`<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`); break;
      case 'code': out.push(`<pre><code>${esc(b.text)}</code></pre>`); break;
      case 'quote': out.push(`<blockquote>${esc(b.text)}</blockquote>`); break;
      case 'plot': out.push(`<figure>${svgBody(b.plot.svg)}<figcaption>${esc(b.plot.title)} (plots/${esc(b.plot.name)}.svg, .png)</figcaption></figure>`); break;
      case 'table':
        out.push(`<table><thead><tr>${b.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead><tbody>${
          b.rows.map((r) => `<tr>${r.map((c) => (isNumeric(c) ? `<td>${inline(c)}</td>` : `<td class="t">${inline(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`);
        break;
    }
  }
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>\n<body>\n${out.join('\n')}\n</body></html>\n`;
}

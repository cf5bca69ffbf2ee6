// Font for rasterising plots. resvg has no fonts of its own: without one, text is dropped.
// Order: explicit option → SWITCHYARD_FONT → DejaVu Sans in the usual Linux/macOS places →
// none (resvg then loads the system fonts, slower and machine-dependent).
import { existsSync } from 'node:fs';

export const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', // Debian/Ubuntu fonts-dejavu-core
  '/usr/share/fonts/dejavu/DejaVuSans.ttf', // Fedora, Alpine
  '/usr/share/fonts/TTF/DejaVuSans.ttf', // Arch
  '/usr/local/share/fonts/DejaVuSans.ttf',
  '/Library/Fonts/DejaVuSans.ttf',
];

/** The font file to embed, or undefined when none is found (fall back to system fonts). */
export function findFontFile(explicit?: string): string | undefined {
  const wanted = explicit ?? process.env.SWITCHYARD_FONT;
  if (wanted) {
    if (!existsSync(wanted)) throw new Error(`font file ${wanted} (from ${explicit ? 'the fontPath option' : 'SWITCHYARD_FONT'}) does not exist`);
    return wanted;
  }
  return FONT_CANDIDATES.find((p) => existsSync(p));
}

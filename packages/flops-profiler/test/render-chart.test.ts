import { renderChart, findFontFile, activeExpertsHistogramSpec } from '@switchyard/flops-profiler';

describe('renderChart', () => {
  it('renders a Vega-Lite spec to SVG and to a PNG at twice the SVG size', async () => {
    const spec = activeExpertsHistogramSpec([
      { router: 'a', activeExperts: 1, tokens: 3 }, { router: 'a', activeExperts: 2, tokens: 5 },
    ], 'Support sizes of router a');
    const { svg, png } = await renderChart(spec, { scale: 2 });
    expect(svg).toContain('Support sizes of router a');
    const w = Number(/<svg[^>]*width="([\d.]+)"/.exec(svg)![1]);
    const h = Number(/<svg[^>]*height="([\d.]+)"/.exec(svg)![1]);
    // PNG: 8-byte signature, IHDR chunk with big-endian width and height at bytes 16 and 20
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(Math.round(2 * w));
    expect(png.readUInt32BE(20)).toBe(Math.round(2 * h));
  });

  it('takes the font from the option, then SWITCHYARD_FONT, and names a missing file', () => {
    expect(() => findFontFile('/no/such/font.ttf')).toThrow(/fontPath option/);
    const saved = process.env.SWITCHYARD_FONT;
    process.env.SWITCHYARD_FONT = '/no/such/env-font.ttf';
    try {
      expect(() => findFontFile()).toThrow(/SWITCHYARD_FONT/);
    } finally {
      if (saved === undefined) delete process.env.SWITCHYARD_FONT; else process.env.SWITCHYARD_FONT = saved;
    }
  });
});

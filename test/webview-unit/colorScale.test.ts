import assert from 'node:assert/strict';
import { intensity, lightness, parseRgb, type Rgb } from '../../src/webview/color';
import { COLOR_SCHEMES, createColorScale, LUT_SIZE, lutIndex, type ScaleTheme } from '../../src/webview/colorScale';
import { headColors } from '../../src/webview/headColors';
import { legendTicks } from '../../src/webview/legend';

const THEMES: Record<string, ScaleTheme> = {
  light: { background: parseRgb('#ffffff', [0, 0, 0]), foreground: parseRgb('#3b3b3b', [0, 0, 0]), accents: [parseRgb('#005fb8', [0, 0, 0]), parseRgb('#1a85ff', [0, 0, 0])] },
  dark: { background: parseRgb('#1f1f1f', [0, 0, 0]), foreground: parseRgb('#cccccc', [0, 0, 0]), accents: [parseRgb('#4daafc', [0, 0, 0]), parseRgb('#3794ff', [0, 0, 0])] },
  'high-contrast': { background: [0, 0, 0], foreground: [255, 255, 255], accents: [parseRgb('#21a6ff', [0, 0, 0])] },
  'high-contrast-light': { background: [255, 255, 255], foreground: [41, 41, 41], accents: [parseRgb('#0f4a85', [0, 0, 0])] },
};

const lutColor = (lut: Uint8ClampedArray, i: number): Rgb => [lut[i * 4], lut[i * 4 + 1], lut[i * 4 + 2]];

describe('colour scales', () => {
  for (const [themeName, theme] of Object.entries(THEMES)) {
    for (const scheme of COLOR_SCHEMES) {
      it(`${scheme} on ${themeName}: intensity never falls, starts near the background and ends strongest`, () => {
        const scale = createColorScale(scheme, theme);
        assert.equal(scale.lut.length, LUT_SIZE * 4);
        let previous = -Infinity;
        for (let i = 0; i < LUT_SIZE; i++) {
          const value = intensity(lutColor(scale.lut, i), theme.background);
          // 0.5 L* of slack for rounding colours to bytes.
          assert.ok(value >= previous - 0.5, `${scheme}/${themeName}: intensity drops at ${i} (${previous.toFixed(2)} -> ${value.toFixed(2)})`);
          previous = Math.max(previous, value);
        }
        const first = intensity(lutColor(scale.lut, 0), theme.background);
        const last = intensity(lutColor(scale.lut, LUT_SIZE - 1), theme.background);
        assert.ok(first < 25, `${scheme}/${themeName}: the low end stands out too much (${first.toFixed(1)} L*)`);
        assert.ok(last >= 35, `${scheme}/${themeName}: the high end is too faint (${last.toFixed(1)} L*)`);
        assert.ok(last >= Math.max(...Array.from({ length: LUT_SIZE }, (_, i) => intensity(lutColor(scale.lut, i), theme.background))) - 0.5);
      });
    }
  }

  it('theme scheme runs from the background to the accent that stands out most', () => {
    const scale = createColorScale('theme', THEMES.light);
    assert.deepEqual(scale.rgbAt(0), [255, 255, 255]);
    assert.deepEqual(scale.rgbAt(1), parseRgb('#005fb8', [0, 0, 0]));
  });

  it('falls back to the foreground when no accent differs enough from the background', () => {
    const scale = createColorScale('theme', { background: [30, 30, 30], foreground: [220, 220, 220], accents: [[40, 40, 50]] });
    assert.deepEqual(scale.rgbAt(1), [220, 220, 220]);
  });

  it('maps t to the LUT with clamping, NaN as 0', () => {
    assert.equal(lutIndex(-1), 0);
    assert.equal(lutIndex(Number.NaN), 0);
    assert.equal(lutIndex(0.5), 128);
    assert.equal(lutIndex(1), 255);
    assert.equal(lutIndex(7), 255);
  });

  it('dark themes flip light-to-dark schemes so the low end sits near the background', () => {
    const blues = createColorScale('blues', THEMES.dark);
    assert.ok(lightness(blues.rgbAt(0)) < lightness(blues.rgbAt(1)));
    const lightBlues = createColorScale('blues', THEMES.light);
    assert.ok(lightness(lightBlues.rgbAt(0)) > lightness(lightBlues.rgbAt(1)));
  });
});

describe('legend', () => {
  it('has ticks from 0 to the maximum, endpoints included', () => {
    const ticks = legendTicks(0.8, 3, 'weight');
    assert.deepEqual(
      ticks.map((t) => [t.at, t.label]),
      [
        [0, '0'],
        [0.5, '0.40'],
        [1, '0.80'],
      ],
    );
    assert.deepEqual(
      legendTicks(1, 2, 'percent').map((t) => t.label),
      ['0.0%', '100.0%'],
    );
  });

  it('places ticks to match a square-root colour scale', () => {
    assert.deepEqual(
      legendTicks(0.8, 3, 'weight', 0.5).map((t) => [t.at, t.label]),
      [
        [0, '0'],
        [0.5, '0.20'],
        [1, '0.80'],
      ],
    );
  });

  it('survives a zero maximum (an all-zero matrix)', () => {
    assert.equal(legendTicks(0, 3, 'weight').at(-1)?.value, 1);
  });
});

describe('head colours', () => {
  it('gives every head a distinct colour, also beyond ten heads', () => {
    for (const n of [1, 8, 12, 16]) {
      const colors = headColors(n);
      assert.equal(colors.length, n);
      assert.equal(new Set(colors).size, n);
    }
  });
});

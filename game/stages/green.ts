// Dreamland and Yoshi's Story: bright skies, clouds and hills, grassy platforms with textured
// soil (stripes on one, a quilt of pastel squares on the other).
import type { Raster } from '../raster.ts';
import type { StageLook } from './stage.ts';
import type { Camera } from './camera.ts';
import { lerpColor, shade } from '../raster.ts';
import { mix32 } from '../../kit/rng.ts';
import { parallax, sx, sy, toScreen } from './camera.ts';

function gradient(r: Raster, top: number, bottom: number): void {
  r.gradientRect(0, 0, r.width, r.height, top, bottom);
}

function clouds(r: Raster, cam: Camera, variant: number, n: number, color: number): void {
  const c = parallax(cam, 0.25);
  for (let i = 0; i < n; i++) {
    const h = mix32(Math.floor(variant * 1e5) * 31 + i);
    const x = ((h & 0xfff) / 4096) * 2400 - 1200,
      y = -500 + ((h >>> 12) & 0x1ff);
    const s = 30 + ((h >>> 21) & 0x3f);
    for (let k = 0; k < 4; k++) {
      r.fillEllipse(sx(c, x + (k - 1.5) * s * 0.9), sy(c, y - (k % 2) * s * 0.4), s * c.zoom, s * 0.6 * c.zoom, 0, color);
    }
  }
}

function hills(r: Raster, cam: Camera, depth: number, base: number, colors: number[], variant: number): void {
  const c = parallax(cam, depth);
  for (let i = 0; i < 8; i++) {
    const x = -1400 + i * 360 + variant * 150;
    const rad = 220 + ((mix32(i + 99) & 0xff) / 255) * 160;
    r.fillEllipse(sx(c, x), sy(c, base), rad * c.zoom, rad * 0.8 * c.zoom, 0, colors[i % colors.length]);
  }
  r.fillRect(0, sy(c, base), r.width, r.height, colors[0]);
}

/** Soil band with horizontal stripes (world rows) between y0 and y1, x within [x0, x1]. */
function stripes(r: Raster, cam: Camera, x0: number, x1: number, y0: number, y1: number, a: number, b: number): void {
  const band = 14;
  for (let y = y0; y < y1; y += band) {
    r.fillRect(sx(cam, x0), sy(cam, y), (x1 - x0) * cam.zoom, band * cam.zoom, ((y - y0) / band) % 2 === 0 ? a : b);
  }
}

export const dreamland: StageLook = {
  surfaces: [
    { x0: -380, x1: 380, y: 0 },
    { x0: -260, x1: -110, y: -105 },
    { x0: 110, x1: 260, y: -105 },
    { x0: -75, x1: 75, y: -200 },
  ],
  background(r, cam, variant) {
    gradient(r, lerpColor(0x3a8ae0, 0x5aa0f0, variant), 0xd8f4ff);
    clouds(r, cam, variant, 9, 0xffffff);
    hills(r, cam, 0.5, 180, [0x5ab050, 0x4a9a48, 0x6ac060], variant);
    // Whispy: the tree behind the stage, trunk with a face and a round canopy
    const t = parallax(cam, 0.8);
    r.fillRect(sx(t, -45), sy(t, -220), 90 * t.zoom, 300 * t.zoom, 0x8a5a30);
    r.fillEllipse(sx(t, 0), sy(t, -300), 190 * t.zoom, 120 * t.zoom, 0, 0x3a8a3a);
    r.fillEllipse(sx(t, -60), sy(t, -330), 90 * t.zoom, 60 * t.zoom, 0, 0x4aa048);
    r.fillEllipse(sx(t, -18), sy(t, -120), 7 * t.zoom, 14 * t.zoom, 0, 0x2a1a10);
    r.fillEllipse(sx(t, 18), sy(t, -120), 7 * t.zoom, 14 * t.zoom, 0, 0x2a1a10);
    r.fillEllipse(sx(t, 0), sy(t, -80), 16 * t.zoom, 9 * t.zoom, 0, 0x3a2010);
  },
  platforms(r, cam) {
    r.fillPolygon(toScreen(cam, [-380, 0, 380, 0, 370, 90, 330, 130, -330, 130, -370, 90]), 0x8a5a34);
    stripes(r, cam, -360, 360, 24, 124, 0x7a4c2a, 0x946238);
    r.fillPolygon(toScreen(cam, [-392, -4, 392, -4, 385, 18, 340, 26, -340, 26, -385, 18]), 0x48b040);
    r.fillRect(sx(cam, -392), sy(cam, -4), 784 * cam.zoom, Math.max(2, 4 * cam.zoom), 0x8ae070);
    for (const s of this.surfaces.slice(1)) {
      r.fillPolygon(toScreen(cam, [s.x0, s.y, s.x1, s.y, s.x1 - 8, s.y + 10, s.x0 + 8, s.y + 10]), 0xe0e8f0);
      r.fillRect(sx(cam, s.x0), sy(cam, s.y) - 1, (s.x1 - s.x0) * cam.zoom, Math.max(2, 3 * cam.zoom), 0x8a5a34);
    }
  },
};

export const yoshis: StageLook = {
  surfaces: [
    { x0: -360, x1: 360, y: 0 },
    { x0: -230, x1: -90, y: -95 },
    { x0: 90, x1: 230, y: -95 },
    { x0: -70, x1: 70, y: -185 },
  ],
  background(r, cam, variant) {
    gradient(r, lerpColor(0x9ad8f8, 0x70c8f0, variant), 0xfff0b0);
    clouds(r, cam, variant + 0.5, 6, 0xfff8f0);
    hills(r, cam, 0.4, 160, [0xf0a0c0, 0x90d070, 0xf8d060, 0x70c0a0], variant);
    hills(r, cam, 0.7, 230, [0x60b050, 0xe07090, 0x50a0d0], 1 - variant);
  },
  platforms(r, cam) {
    r.fillPolygon(toScreen(cam, [-360, 10, -250, -4, 250, -4, 360, 10, 350, 150, -350, 150]), 0xf4e4b0);
    // a quilt of pastel squares below the grass
    const cell = 36,
      colors = [0xf8b0c8, 0xa8e0a0, 0xa8d0f8, 0xf8e088];
    for (let row = 0; row < 3; row++) {
      for (let col = -9; col < 9; col++) {
        const x = col * cell + 6,
          y = 30 + row * cell;
        if (x < -340 || x + cell > 340) continue;
        r.fillRect(sx(cam, x + 3), sy(cam, y + 3), (cell - 6) * cam.zoom, (cell - 6) * cam.zoom, colors[(row + col + 20) % 4]);
      }
    }
    r.fillPolygon(toScreen(cam, [-370, 12, -250, -6, 250, -6, 370, 12, 360, 26, -360, 26]), 0x3cb048);
    r.fillPolygon(toScreen(cam, [-250, -6, 250, -6, 240, 2, -240, 2]), 0x70d070);
    // the cloud platform on the left, then the three stitched platforms
    const cl = [
      [-520, -40, 40],
      [-480, -50, 45],
      [-440, -40, 38],
    ];
    for (const [x, y, s] of cl) r.fillEllipse(sx(cam, x), sy(cam, y), s * cam.zoom, s * 0.5 * cam.zoom, 0, 0xffffff, 0.9);
    for (const s of this.surfaces.slice(1)) {
      r.fillRect(sx(cam, s.x0), sy(cam, s.y), (s.x1 - s.x0) * cam.zoom, 10 * cam.zoom, 0xe87830);
      r.fillRect(sx(cam, s.x0), sy(cam, s.y) - 1, (s.x1 - s.x0) * cam.zoom, Math.max(2, 3 * cam.zoom), shade(0xf8c040, 1));
    }
  },
};

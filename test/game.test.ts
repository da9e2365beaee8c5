import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { generateDataset, type SynthOptions } from '../game/synth.ts';
import { CHARACTERS, COLORS, STAGES, type Character } from '../game/labels.ts';
import { datasetScene, renderDatasetFrame } from '../game/frame.ts';
import { DEFAULT_LOOK, type GameLook } from '../game/scene.ts';
import { Raster } from '../game/raster.ts';
import { drawCharacter } from '../game/figures/index.ts';
import { PALETTES } from '../game/palettes.ts';
import { posePhase } from '../game/poses.ts';
import { drawHud, hudPortRegions } from '../game/hud.ts';
import { startLiveGame } from '../game/live.ts';
import { LiveSim } from '../game/live-sim.ts';
import { renderScene } from '../game/render.ts';
import { registerSynth } from '../game/command.ts';
import { runCli } from '../cli/run.ts';
import { parseFrameName } from '../dataset/naming.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));

// The seed notebook's regex, as written there (Python `re.match`, so anchored at the start).
const SEED_RE = /^(?:[^/]*\/)*(?<character>[^_]*)_(?<color>[^_]*)_(?<stage>[^_]*)_(?<orientation>[^_]*)_bg_on_(?<n>[0-9]{3}).jpg/;

function options(out: string, extra: Partial<SynthOptions> = {}): SynthOptions {
  return {
    out,
    seed: 1,
    characters: ['fox', 'samus'],
    colors: ['red'],
    stages: ['battlefield', 'yoshis'],
    orientations: ['left'],
    framesPerCombo: 2,
    width: 96,
    height: 72,
    quality: 90,
    look: DEFAULT_LOOK,
    force: false,
    progress: null,
    ...extra,
  };
}

function listJpegs(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.jpg'))
    .sort();
}

function readAll(dir: string): Map<string, Buffer> {
  return new Map(listJpegs(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

describe('synth dataset', () => {
  it('same seed gives identical bytes, another seed different ones', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    await generateDataset(options(a));
    await generateDataset(options(b));
    await generateDataset(options(c, { seed: 2 }));
    const fa = readAll(a),
      fb = readAll(b),
      fc = readAll(c);
    expect(fa.size).toBe(8);
    expect([...fa.keys()]).toEqual([...fb.keys()]);
    for (const [k, v] of fa) expect(v.equals(fb.get(k)!)).toBe(true);
    for (const [k, v] of fa) expect(v.equals(fc.get(k)!)).toBe(false);
  });

  it('adding a character leaves the other characters’ frames unchanged', async () => {
    const [a, b] = [tmp(), tmp()];
    await generateDataset(options(a));
    await generateDataset(options(b, { characters: ['fox', 'peach', 'samus'] }));
    const fa = readAll(a),
      fb = readAll(b);
    for (const [k, v] of fa) expect(v.equals(fb.get(k)!)).toBe(true);
  });

  it('names every combo in the notebook naming, every character in every stage', async () => {
    const out = tmp();
    const s = await generateDataset(
      options(out, {
        characters: CHARACTERS,
        stages: STAGES,
        framesPerCombo: 1,
        width: 64,
        height: 48,
      }),
    );
    expect(s.frames).toBe(32);
    const seen = new Set<string>();
    for (const f of listJpegs(path.join(out, 'images'))) {
      const m = SEED_RE.exec(f);
      expect(m, f).not.toBeNull();
      const n = parseFrameName(f);
      expect(path.dirname(f)).toBe(n.character);
      expect(n).toMatchObject({ character: m!.groups!.character, stage: m!.groups!.stage, number: 0 });
      seen.add(`${n.character}/${n.stage}`);
    }
    expect(seen.size).toBe(CHARACTERS.length * STAGES.length);
    expect(listJpegs(out).some((f) => !f.endsWith('.jpg'))).toBe(false);
    // and the character is really drawn in each of those frames' scenes
    const r = new Raster(64, 48);
    for (const character of CHARACTERS)
      for (const stage of STAGES) {
        const meta = renderDatasetFrame(r, 1, { character, color: 'red', stage, orientation: 'left' }, 0, DEFAULT_LOOK);
        expect(meta.pixels, `${character}/${stage}`).toBeGreaterThan(0);
      }
  });

  it('refuses a non-empty images folder without --force', async () => {
    const out = tmp();
    await generateDataset(options(out, { framesPerCombo: 1 }));
    await expect(generateDataset(options(out, { framesPerCombo: 1 }))).rejects.toThrow(/not empty.*--force/);
    await generateDataset(options(out, { framesPerCombo: 1, force: true }));
  });
});

describe('scenes', () => {
  it('characters are usually small, sometimes cut off, sometimes hidden by effects', () => {
    const r = new Raster(160, 120);
    const metas = [];
    for (let i = 0; i < 160; i++) {
      const labels = { character: CHARACTERS[i % 8], color: COLORS[i % 4], stage: STAGES[(i >> 3) % 4], orientation: 'right' as const };
      metas.push(renderDatasetFrame(r, 7, labels, i, DEFAULT_LOOK));
    }
    const small = metas.filter((m) => m.areaFraction < 0.1).length;
    expect(small / metas.length).toBeGreaterThan(0.7);
    expect(metas.filter((m) => m.cutOff).length).toBeGreaterThan(2);
    expect(metas.filter((m) => m.occlusion > 0.1).length).toBeGreaterThan(2);
    for (const m of metas.filter((x) => x.bbox)) {
      const b = m.bbox!;
      expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= 160 && b.y + b.h <= 120).toBe(true);
      expect(m.cutOff).toBe(b.x === 0 || b.y === 0 || b.x + b.w === 160 || b.y + b.h === 120);
    }
  });

  it('the close view frames the same scenes as a close-up: seeded, the figure bigger, no HUD when off', () => {
    const r = new Raster(128, 96);
    const close: GameLook = { hud: false, view: 'close' };
    const areas = { wide: [] as number[], close: [] as number[] };
    for (let i = 0; i < 64; i++) {
      const labels = { character: CHARACTERS[i % 8], color: COLORS[i % 4], stage: STAGES[(i >> 3) % 4], orientation: 'left' as const };
      const wide = datasetScene(7, labels, i, 128, 96, DEFAULT_LOOK);
      const near = datasetScene(7, labels, i, 128, 96, close);
      // only the shot differs: action, pose, effects and stage variant are the same draws
      expect({ ...near, camera: null, hud: null, effects: near.effects.length }).toEqual({ ...wide, camera: null, hud: null, effects: wide.effects.length });
      expect(near.hud).toBeNull();
      expect(128 / near.camera.zoom).toBeLessThanOrEqual(520);
      expect(datasetScene(7, labels, i, 128, 96, close)).toEqual(near);
      areas.wide.push(renderScene(r, wide).pixels);
      areas.close.push(renderScene(r, near).pixels);
    }
    const median = (v: number[]): number => v.sort((a, b) => a - b)[v.length >> 1]!;
    expect(median(areas.close)).toBeGreaterThan(3 * median(areas.wide));
  });

  it('--recolor repaints the stage of that share of frames and leaves the figure and the other draws alone', () => {
    const a = new Raster(128, 96),
      b = new Raster(128, 96);
    const plain: GameLook = { hud: false, view: 'close' };
    const all: GameLook = { ...plain, recolor: 1 };
    let repainted = 0;
    for (let i = 0; i < 24; i++) {
      const labels = { character: CHARACTERS[i % 8], color: COLORS[i % 4], stage: STAGES[i % 4], orientation: 'right' as const };
      const s = datasetScene(3, labels, i, 128, 96, plain);
      const t = datasetScene(3, labels, i, 128, 96, all);
      expect(s.backdrop).toBeUndefined();
      expect(t.backdrop).toBeDefined();
      expect({ ...t, backdrop: undefined }).toEqual({ ...s, backdrop: undefined });
      renderScene(a, s);
      renderScene(b, t);
      let changed = 0,
        background = 0;
      for (let p = 0; p < a.mask.length; p++) {
        const same = a.data[3 * p] === b.data[3 * p] && a.data[3 * p + 1] === b.data[3 * p + 1] && a.data[3 * p + 2] === b.data[3 * p + 2];
        if (a.mask[p] === 1) expect(same, `frame ${i} figure pixel ${p}`).toBe(true); // figure only: not under an effect
        if (a.mask[p] === 0) {
          background++;
          if (!same) changed++;
        }
      }
      if (changed > background * 0.5) repainted++;
    }
    expect(repainted).toBeGreaterThan(20);
    const shares = Array.from({ length: 200 }, (_, i) =>
      datasetScene(3, { character: 'fox', color: 'red', stage: 'yoshis', orientation: 'left' }, i, 64, 48, { ...plain, recolor: 0.5 }),
    );
    const share = shares.filter((s) => s.backdrop).length / shares.length;
    expect(share > 0.35 && share < 0.65, `share ${share}`).toBe(true);
  });

  it('a left-facing character is the mirror image of the right-facing one', () => {
    const W = 200,
      H = 160;
    for (const character of CHARACTERS) {
      const right = new Raster(W, H),
        left = new Raster(W, H);
      const pose = posePhase('attack', 0.3);
      drawCharacter(right, character, PALETTES.blue, 'attack', pose, { x: W / 2, y: 140, scale: 1, facing: 1 });
      drawCharacter(left, character, PALETTES.blue, 'attack', pose, { x: W / 2, y: 140, scale: 1, facing: -1 });
      let same = 0,
        differs = 0,
        drawn = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const i = (y * W + x) * 3,
            m = (y * W + (W - 1 - x)) * 3;
          if (right.data[i] || right.data[i + 1] || right.data[i + 2]) drawn++;
          if (right.data.subarray(i, i + 3).equals(left.data.subarray(m, m + 3))) same++;
          if (!right.data.subarray(i, i + 3).equals(left.data.subarray(i, i + 3))) differs++;
        }
      expect(drawn, character).toBeGreaterThan(500);
      expect(same / (W * H), character).toBeGreaterThan(0.995);
      expect(differs, character).toBeGreaterThan(drawn * 0.2); // not symmetric: the flip matters
    }
  });

  it('HUD port regions tile the bottom and each character has its own icon', () => {
    const regions = hudPortRegions(640, 480);
    expect(regions.map((r) => r.port)).toEqual([1, 2, 3, 4]);
    for (const [i, r] of regions.entries()) {
      expect(r.y + r.h).toBeLessThanOrEqual(480);
      expect(r.y).toBeGreaterThan(480 * 0.7);
      if (i > 0) expect(r.x).toBeGreaterThanOrEqual(regions[i - 1].x + regions[i - 1].w);
    }
    const crops = CHARACTERS.map((character: Character) => {
      const r = new Raster(320, 240);
      drawHud(r, [{ character, palette: PALETTES.green, damage: 42, stocks: 3 }, null, null, null]);
      const p1 = hudPortRegions(320, 240)[0];
      const rows = [];
      for (let y = p1.y; y < p1.y + p1.h; y++) rows.push(r.data.subarray((y * 320 + p1.x) * 3, (y * 320 + p1.x + p1.w) * 3));
      return Buffer.concat(rows);
    });
    for (let a = 0; a < crops.length; a++)
      for (let b = a + 1; b < crops.length; b++) {
        expect(crops[a].equals(crops[b]), `${CHARACTERS[a]} vs ${CHARACTERS[b]}`).toBe(false);
      }
  });
});

describe('live game', () => {
  it('draws its frames from the dataset scene distribution (port 1 HUD, zoom, scale, effects)', () => {
    // A model trained on synth frames reads the port-1 HUD: live frames must show the same game.
    const W = 160,
      H = 120,
      r = new Raster(W, H);
    const sim = new LiveSim(5, [...CHARACTERS], W, H);
    const scenes = [];
    const metas = [];
    for (let t = 1; t <= 1800; t++) {
      if (t % 120 === 0) sim.switchCharacter(); // a new game every 4 s, the synthetic source's default
      sim.step(1 / 30);
      if (t % 4) continue;
      const s = sim.scene();
      scenes.push(s);
      metas.push(renderScene(r, s));
    }
    for (const s of scenes) {
      expect(s.hud).toMatchObject({ port: 1 });
      expect(s.hud!.stocks >= 1 && s.hud!.stocks <= 4 && s.hud!.damage >= 0 && s.hud!.damage <= 180).toBe(true);
      const view = W / s.camera.zoom;
      expect(view >= 320 && view <= 1300, `view ${view}`).toBe(true);
      expect(s.scale >= 0.92 && s.scale <= 1.08).toBe(true);
    }
    const views = scenes.map((s) => W / s.camera.zoom);
    expect(views.some((v) => v < 560) && views.some((v) => v > 1000)).toBe(true);
    expect(new Set(scenes.map((s) => s.variant)).size).toBeGreaterThan(5);
    expect(new Set(scenes.map((s) => s.hud!.stocks)).size).toBeGreaterThan(2);
    const withEffects = scenes.filter((s) => s.effects.length > 0).length / scenes.length;
    expect(withEffects).toBeGreaterThan(0.15);
    expect(withEffects).toBeLessThan(0.5);
    expect(metas.filter((m) => m.areaFraction < 0.1).length / metas.length).toBeGreaterThan(0.7);
  });

  it('plays with the HUD off and the close view when asked, the same game otherwise', () => {
    const W = 160,
      H = 120;
    const plain = new LiveSim(5, [...CHARACTERS], W, H);
    const near = new LiveSim(5, [...CHARACTERS], W, H, { hud: false, view: 'close' });
    for (let t = 1; t <= 600; t++) {
      if (t % 120 === 0) {
        plain.switchCharacter();
        near.switchCharacter();
      }
      plain.step(1 / 30);
      near.step(1 / 30);
      if (t % 10) continue;
      const a = plain.scene(),
        b = near.scene();
      expect(b.hud).toBeNull();
      expect(a.hud).not.toBeNull();
      expect([b.character, b.stage, b.color]).toEqual([a.character, a.stage, a.color]);
      expect(W / b.camera.zoom).toBeLessThanOrEqual(560); // eased towards a 320-520 shot
    }
  });

  it('streams frames of the right size and its timeline switches label', async () => {
    const timelinePath = path.join(tmp(), 'timeline.jsonl');
    const game = startLiveGame({ seed: 3, fps: 30, width: 64, height: 48, switchSeconds: 0.25, timelinePath });
    let bytes = 0;
    const sizes = new Set<number>();
    game.frames.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      sizes.add(chunk.length);
    });
    await new Promise((r) => setTimeout(r, 1200));
    game.stop();
    await new Promise((r) => game.frames.once('end', r));
    const frame = 64 * 48 * 3;
    expect(bytes % frame).toBe(0);
    expect(bytes / frame).toBeGreaterThan(10);
    expect([...sizes]).toEqual([frame]);
    const t = game.timeline;
    expect(t.length).toBeGreaterThanOrEqual(3);
    expect(t[0].frame).toBe(0);
    for (let i = 1; i < t.length; i++) {
      expect(t[i].label).not.toBe(t[i - 1].label);
      expect(t[i].frame).toBeGreaterThan(t[i - 1].frame);
      expect(t[i].t).toBeGreaterThanOrEqual(t[i - 1].t);
    }
    for (const e of t) expect(CHARACTERS).toContain(e.label);
    const lines = fs
      .readFileSync(timelinePath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(t);
  });
});

describe('synth command', () => {
  async function run(args: string[]): Promise<{ code: number; stderr: string }> {
    const program = new Command('smashsight').exitOverride();
    registerSynth(program);
    const write = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((s: string) => {
      stderr += s;
      return true;
    }) as typeof process.stderr.write;
    const before = process.exitCode;
    try {
      await runCli(program, ['node', 'smashsight', 'synth', ...args]);
      return { code: Number(process.exitCode ?? 0), stderr };
    } finally {
      process.stderr.write = write;
      process.exitCode = before;
    }
  }

  it('rejects unknown names and bad sizes with a clear message and non-zero exit', async () => {
    const out = tmp();
    const bad = await run(['--out', out, '--characters', 'fox,bowser']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--characters: unknown 'bowser'/);
    const size = await run(['--out', out, '--size', '640by480']);
    expect(size.code).not.toBe(0);
    expect(size.stderr).toMatch(/--size '640by480'/);
    const view = await run(['--out', out, '--view', 'far']);
    expect(view.code).not.toBe(0);
    expect(view.stderr).toMatch(/--view 'far': expected wide or close/);
    const recolor = await run(['--out', out, '--recolor', '1.5']);
    expect(recolor.code).not.toBe(0);
    expect(recolor.stderr).toMatch(/--recolor: must be a number from 0 to 1/);
    expect(fs.existsSync(path.join(out, 'images'))).toBe(false);
  });
});

// The figure probe's data: synthetic frames rendered straight to raw arrays (no JPEG), with each
// frame's visible-figure mask and its plate (the same scene without the figure), for
// bench/figure-probe/probe.py, which tries training recipes in PyTorch quickly before the project's
// trainer gets them. Out of the product: a research rig.
//
//   npx tsx bench/figure-probe/render.ts /tmp/probe/train 3 battlefield,finaldest,yoshis 24 128x96 close
//   npx tsx bench/figure-probe/render.ts /tmp/probe/test 4 dreamland 6 128x96 close
import fs from 'node:fs';
import { Raster } from '../../game/raster.ts';
import { datasetScene } from '../../game/frame.ts';
import { renderScene, visibleFigureMask } from '../../game/render.ts';
import { STAGE_LOOKS } from '../../game/stages/index.ts';
import { recolor } from '../../game/backdrop.ts';
import { CHARACTERS, COLORS, ORIENTATIONS, STAGES, type Stage } from '../../game/labels.ts';
import { VIEWS, type SceneLabels } from '../../game/scene.ts';
import { parseList } from '../../kit/flags.ts';

const [out, seedText, stagesText, perText, sizeText, viewText] = process.argv.slice(2);
if (!out || !seedText || !stagesText || !perText || !sizeText || !viewText)
  throw new Error('usage: render.ts <out-base> <seed> <stages> <frames-per-combo> <WxH> <wide|close>');
const [W, H] = sizeText.split('x').map(Number) as [number, number];
const stages = parseList('stages', stagesText, STAGES) as Stage[];
const view = VIEWS.find((v) => v === viewText) ?? 'close';
const per = Number(perText);
const seed = Number(seedText);
const list: (SceneLabels & { n: number })[] = [];
for (const character of CHARACTERS)
  for (const color of COLORS)
    for (const stage of stages) for (const orientation of ORIENTATIONS) for (let n = 0; n < per; n++) list.push({ character, color, stage, orientation, n });
const N = list.length;
const img = Buffer.alloc(N * W * H * 3);
const plate = Buffer.alloc(N * W * H * 3);
const mask = Buffer.alloc(N * W * H);
const lab = Buffer.alloc(N * 2);
const r = new Raster(W, H);
const p = new Raster(W, H);
list.forEach((l, i) => {
  const s = datasetScene(seed, l, l.n, W, H, { hud: false, view });
  renderScene(r, s);
  r.data.copy(img, i * W * H * 3);
  mask.set(visibleFigureMask(r), i * W * H);
  const look = STAGE_LOOKS[s.stage];
  const cam = { ...s.camera, width: W, height: H };
  p.resetMask();
  look.background(p, cam, s.variant);
  look.platforms(p, cam);
  if (s.backdrop) recolor(p, s.backdrop);
  p.data.copy(plate, i * W * H * 3);
  lab[i * 2] = CHARACTERS.indexOf(l.character);
  lab[i * 2 + 1] = STAGES.indexOf(l.stage);
});
for (const [ext, b] of [
  ['img', img],
  ['plate', plate],
  ['mask', mask],
  ['lab', lab],
] as const)
  fs.writeFileSync(`${out}.${ext}`, b);
fs.writeFileSync(`${out}.json`, JSON.stringify({ N, W, H }));
console.log(`${out}: ${N} frames ${W}x${H}`);

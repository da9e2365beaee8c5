// Fox, Falco and Puff: the animal silhouettes (ears and a bushy tail; a long beak and crest; a
// round ball with ears and stubby feet).
import type { Figure, FigureCtx } from './figure.ts';
import type { Pen } from '../pen.ts';
import type { P } from '../skeleton.ts';
import type { Palette } from '../palettes.ts';
import { BLACK, WHITE } from '../palettes.ts';
import { shade, lerpColor } from '../raster.ts';
import { along, chain, foot, headAngle, limb, offset, torso } from '../parts.ts';

const FOX_FUR = 0xc47a3a;
const FALCO_FUR = 0x3456b4;
const BEAK = 0xe89a28;

/** The legs, back arm and torso of the two pilots, who share a jacket-and-boots outfit. */
function pilotBody(ctx: FigureCtx, fur: number, thin: number): void {
  const { pen, j, pal } = ctx;
  const back = shade(pal.main, 0.7);
  limb(pen, j.shoulderB, j.elbowB, j.handB, 3.4, 3, 2.6, back, shade(fur, 0.7));
  pen.circle(j.handB.x, j.handB.y, 3.2, shade(WHITE, 0.7));
  limb(pen, j.hip, j.kneeB, j.footB, 4.2 * thin, 3.2 * thin, 2.6 * thin, shade(pal.second, 0.7), shade(pal.second, 0.6));
  foot(pen, j.footB, 10, 3.4, shade(WHITE, 0.65));
}

function pilotFront(ctx: FigureCtx, fur: number, thin: number): void {
  const { pen, j, pal } = ctx;
  limb(pen, j.hip, j.kneeF, j.footF, 4.4 * thin, 3.3 * thin, 2.7 * thin, pal.second, shade(pal.second, 0.85));
  foot(pen, j.footF, 10, 3.4, WHITE);
  torso(pen, j, 6.5, 8, pal.main);
  const c = along(j.hip, j.torsoAngle, 14);
  pen.ellipse(c.x + 2.5, c.y, 3.2, 7, 0, lerpColor(fur, WHITE, 0.6));
  pen.capsule(j.hip.x - 6, j.hip.y - 2, j.hip.x + 6, j.hip.y - 2, 2, 2, pal.dark);
}

function pilotArm(ctx: FigureCtx, fur: number): void {
  const { pen, j, pal } = ctx;
  limb(pen, j.shoulderF, j.elbowF, j.handF, 3.6, 3.1, 2.7, pal.main, fur);
  pen.circle(j.handF.x, j.handF.y, 3.4, WHITE);
}

function foxHead(pen: Pen, c: P, a: number, _pal: Palette): void {
  pen.polyAt(c.x, c.y, a, [-8, -3, -2, -7, -8, -21], FOX_FUR);
  pen.polyAt(c.x, c.y, a, [-7, -5, -5.5, -9, -7.5, -17], 0xf0d8c0);
  pen.polyAt(c.x, c.y, a, [-2, -7, 4, -6, 1, -20], shade(FOX_FUR, 1.1));
  pen.circle(c.x, c.y, 8, FOX_FUR);
  pen.polyAt(c.x, c.y, a, [2, -4, 17, 0, 15, 3, 2, 5], FOX_FUR);
  pen.polyAt(c.x, c.y, a, [1, 2, 15, 3, 11, 6, 0, 8], 0xf4e6d0);
  const nose = offset(c, a, 16.5, 0.5);
  pen.circle(nose.x, nose.y, 1.8, BLACK);
  const eye = offset(c, a, 4, -2.5);
  pen.ellipse(eye.x, eye.y, 1.4, 2.4, a, 0x30a040);
}

function falcoHead(pen: Pen, c: P, a: number, _pal: Palette): void {
  pen.polyAt(c.x, c.y, a, [-4, -6, -19, -13, -8, -1], FALCO_FUR);
  pen.polyAt(c.x, c.y, a, [-6, -1, -21, -3, -7, 4], shade(FALCO_FUR, 0.85));
  pen.polyAt(c.x, c.y, a, [-1, -8, -10, -17, -5, -5], shade(FALCO_FUR, 1.15));
  pen.circle(c.x, c.y, 8, FALCO_FUR);
  pen.polyAt(c.x, c.y, a, [3, -3, 23, 1.5, 4, 5], BEAK);
  pen.polyAt(c.x, c.y, a, [4, 2, 18, 2.5, 4, 5], shade(BEAK, 0.75));
  const eye = offset(c, a, 3, -3);
  pen.ellipse(eye.x, eye.y, 2.6, 2.2, a, WHITE);
  pen.circle(eye.x + 0.8, eye.y, 1.2, BLACK);
  pen.polyAt(c.x, c.y, a, [-3, 2, 3, 3, 0, 9, -4, 7], 0xd03020);
}

type Part = (pen: Pen, c: P, a: number, pal: Palette) => void;

/** The two pilots share a body; fur, leg thickness, what trails behind (tail) and the head differ. */
function pilot(body: Figure['body'], height: number, fur: number, thin: number, tail: (ctx: FigureCtx) => void, head: Part): Figure {
  return {
    body,
    height,
    head,
    draw(ctx) {
      pilotBody(ctx, fur, thin);
      tail(ctx);
      pilotFront(ctx, fur, thin);
      head(ctx.pen, ctx.j.head, headAngle(ctx.j, ctx.pose.head), ctx.pal);
      pilotArm(ctx, fur);
    },
  };
}

export const fox = pilot(
  { thigh: 19, shin: 21, torso: 25, neck: 3, upperArm: 14, forearm: 13, shoulderW: 14, headR: 8.5 },
  95,
  FOX_FUR,
  1,
  ({ pen, j, pose }) => {
    const sway = Math.sin(pose.flutter * Math.PI * 2) * 0.12;
    const tip = chain(pen, along(j.hip, -1.9, 2), -2.2 + sway, 4, 7, 4, 9, 0.18 + sway, FOX_FUR);
    pen.circle(tip.x, tip.y, 6, 0xf4ece0);
  },
  foxHead,
);

export const falco = pilot(
  { thigh: 23, shin: 25, torso: 26, neck: 4, upperArm: 15, forearm: 14, shoulderW: 13, headR: 8.5 },
  108,
  FALCO_FUR,
  0.85,
  ({ pen, j }) => {
    const tail = along(j.hip, -2.3, 3);
    pen.polyAt(tail.x, tail.y, 0.4, [0, 0, -14, -6, -16, 0, -14, 5], 0xc83020);
  },
  falcoHead,
);

function puffBody(pen: Pen, c: P, a: number, pal: Palette): void {
  const skin = lerpColor(pal.main, WHITE, 0.35);
  const r = 21;
  pen.polyAt(c.x, c.y, a, [-16, -10, -6, -19, -17, -27], skin);
  pen.polyAt(c.x, c.y, a, [-15, -21, -17, -27, -12, -22], BLACK);
  pen.polyAt(c.x, c.y, a, [6, -19, 16, -10, 17, -27], skin);
  pen.polyAt(c.x, c.y, a, [15, -21, 17, -27, 12, -22], BLACK);
  pen.circle(c.x, c.y, r, skin);
  pen.ellipse(c.x - 4, c.y + 6, 13, 11, 0, shade(skin, 0.9));
  const tuft = offset(c, a, 2, -19);
  pen.ellipse(tuft.x, tuft.y, 6, 4, a + 0.6, skin);
  pen.circle(tuft.x + 2.5, tuft.y - 1, 2.3, shade(skin, 0.85));
  for (const dx of [3, 13]) {
    const e = offset(c, a, dx, -3);
    pen.ellipse(e.x, e.y, 4.2, 5.2, a, WHITE);
    pen.ellipse(e.x + 0.8, e.y + 0.8, 3, 3.8, a, 0x2a70c8);
    pen.circle(e.x + 1.4, e.y - 1.6, 1.2, WHITE);
  }
  const m = offset(c, a, 10, 8);
  pen.ellipse(m.x, m.y, 2.5, 1.2, a, 0x802040);
}

export const puff: Figure = {
  body: { thigh: 6, shin: 4, torso: 14, neck: 0, upperArm: 7, forearm: 4, shoulderW: 30, headR: 2 },
  height: 56,
  draw(ctx) {
    const { pen, j, pal, pose } = ctx;
    const skin = lerpColor(pal.main, WHITE, 0.35);
    const c = along(j.hip, j.torsoAngle, 10);
    const a = headAngle(j, pose.head * 0.3);
    foot(pen, j.footB, 12, 4, shade(skin, 0.65));
    const armB = offset(c, a, -14, 4);
    pen.capsule(armB.x, armB.y, armB.x - 9 * Math.cos(pose.armB[0]), armB.y + 7, 4, 3.5, shade(skin, 0.75));
    puffBody(pen, c, a, pal);
    foot(pen, j.footF, 12, 4, shade(skin, 0.8));
    const armF = offset(c, a, 12, 6);
    const reach = along(armF, j.armFAngle, 9);
    pen.capsule(armF.x, armF.y, reach.x, reach.y, 4.2, 3.6, shade(skin, 0.95));
  },
  head: (pen, c, a, pal) => puffBody(pen, { x: c.x, y: c.y + 4 }, a, pal),
};

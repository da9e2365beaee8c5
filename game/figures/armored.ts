// Falcon and Samus: the heavy silhouettes — a broad V-shaped brawler with a beaked helmet and
// scarf, and a power suit with round shoulder pads and an arm cannon.
import type { Figure } from './figure.ts';
import type { Pen } from '../pen.ts';
import type { P } from '../skeleton.ts';
import type { Palette } from '../palettes.ts';
import { BLACK, GOLD, SKIN, STEEL } from '../palettes.ts';
import { shade } from '../raster.ts';
import { along, chain, foot, headAngle, limb, offset, torso } from '../parts.ts';

const VISOR = 0x48e070;

function falconHead(pen: Pen, c: P, a: number, pal: Palette): void {
  pen.circle(c.x, c.y, 8.5, pal.main);
  pen.polyAt(c.x, c.y, a, [0, -9, 13, -2, 12, 1, 2, 0], shade(pal.main, 1.15));
  pen.polyAt(c.x, c.y, a, [3, -1, 10, -1, 9, 3, 3, 3], 0xa02020);
  pen.polyAt(c.x, c.y, a, [2, 3, 8, 3, 7, 9, 1, 8], SKIN);
  pen.polyAt(c.x, c.y, a, [-5, -6, 1, -8, -1, -3, -4, -2], GOLD);
}

function samusHead(pen: Pen, c: P, a: number, pal: Palette): void {
  pen.circle(c.x, c.y, 9, pal.main);
  pen.polyAt(c.x, c.y, a, [-2, -9, 6, -8, 3, -4, -3, -4], shade(pal.main, 1.2));
  pen.polyAt(c.x, c.y, a, [1, -3, 10, -3, 10, 4, 4, 6, 1, 3], VISOR);
  pen.polyAt(c.x, c.y, a, [5, -2, 9, -2, 8, 0, 5, 0], 0xc8ffd8);
  pen.circle(offset(c, a, -3, 6).x, offset(c, a, -3, 6).y, 4, shade(pal.main, 0.8));
}

export const falcon: Figure = {
  body: { thigh: 24, shin: 24, torso: 31, neck: 4, upperArm: 17, forearm: 16, shoulderW: 22, headR: 8.5 },
  height: 120,
  draw({ pen, j, pose, pal }) {
    const a = headAngle(j, pose.head);
    const sway = Math.sin(pose.flutter * Math.PI * 2) * 0.2;
    chain(pen, offset(j.neck, a, -3, 0), -1.9 + sway, 4, 6, 3, 1.5, 0.15 + sway * 0.4, GOLD);
    limb(pen, j.shoulderB, j.elbowB, j.handB, 5, 4.4, 3.8, shade(pal.main, 0.65), shade(pal.second, 0.7));
    pen.circle(j.handB.x, j.handB.y, 5, shade(pal.second, 0.65));
    limb(pen, j.hip, j.kneeB, j.footB, 6, 4.6, 4, shade(pal.main, 0.6), shade(pal.second, 0.6));
    foot(pen, j.footB, 12, 4.5, shade(pal.second, 0.55));
    limb(pen, j.hip, j.kneeF, j.footF, 6.3, 4.8, 4.2, shade(pal.main, 0.85), pal.second);
    foot(pen, j.footF, 12, 4.5, shade(pal.second, 0.8));
    torso(pen, j, 7, 12, pal.main);
    pen.capsule(j.shoulderB.x - 3, j.shoulderB.y, j.shoulderF.x + 4, j.shoulderF.y, 7, 7, pal.main);
    pen.capsule(j.hip.x - 7, j.hip.y - 2, j.hip.x + 7, j.hip.y - 2, 2.6, 2.6, BLACK);
    pen.circle(j.hip.x + 2, j.hip.y - 2, 3.2, GOLD);
    falconHead(pen, j.head, a, pal);
    limb(pen, j.shoulderF, j.elbowF, j.handF, 5.4, 4.6, 4, pal.main, pal.second);
    pen.circle(j.handF.x, j.handF.y, 5.8, pal.second);
  },
  head: falconHead,
};

export const samus: Figure = {
  body: { thigh: 24, shin: 25, torso: 27, neck: 3, upperArm: 15, forearm: 15, shoulderW: 18, headR: 9 },
  height: 116,
  draw({ pen, j, pose, pal }) {
    const a = headAngle(j, pose.head);
    const back = shade(pal.main, 0.65);
    limb(pen, j.shoulderB, j.elbowB, j.handB, 4, 3.8, 3.4, shade(pal.second, 0.7), back);
    pen.circle(j.handB.x, j.handB.y, 4, back);
    limb(pen, j.hip, j.kneeB, j.footB, 6.5, 5, 5, back, back);
    pen.circle(j.kneeB.x + 1.5, j.kneeB.y, 5.5, shade(pal.second, 0.6));
    foot(pen, j.footB, 13, 5, shade(pal.second, 0.6));
    limb(pen, j.hip, j.kneeF, j.footF, 6.8, 5.2, 5.2, pal.main, pal.main);
    pen.circle(j.kneeF.x + 1.5, j.kneeF.y, 5.8, pal.second);
    foot(pen, j.footF, 13, 5, pal.second);
    torso(pen, j, 7.5, 9, pal.second);
    const chestPlate = along(j.hip, j.torsoAngle, 19);
    pen.ellipse(chestPlate.x + 2, chestPlate.y, 7, 6, 0, pal.main);
    pen.circle(j.shoulderB.x - 1, j.shoulderB.y - 1, 9, shade(pal.main, 0.75));
    samusHead(pen, j.head, a, pal);
    // round shoulder pad, then the arm cannon: a thick barrel over the forearm
    pen.circle(j.shoulderF.x + 1, j.shoulderF.y - 1, 10, pal.main);
    pen.circle(j.shoulderF.x + 3, j.shoulderF.y - 4, 4, shade(pal.main, 1.25));
    pen.capsule(j.shoulderF.x, j.shoulderF.y, j.elbowF.x, j.elbowF.y, 4.2, 4.2, pal.second);
    const muzzle = along(j.handF, j.foreFAngle, 6);
    pen.capsule(j.elbowF.x, j.elbowF.y, muzzle.x, muzzle.y, 6.8, 5.6, pal.main);
    pen.circle(muzzle.x, muzzle.y, 3.6, shade(pal.main, 0.5));
    pen.circle(muzzle.x, muzzle.y, 2, STEEL);
  },
  head: samusHead,
};

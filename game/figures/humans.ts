// Marth, Sheik and Peach: slim human silhouettes told apart by a cape and long sword, a wrapped
// head with a trailing braid, and a floor-length dress with a crown.
import type { Figure } from './figure.ts';
import type { Pen } from '../pen.ts';
import type { P } from '../skeleton.ts';
import type { Palette } from '../palettes.ts';
import { BLACK, BLONDE, GOLD, SKIN, STEEL, WHITE } from '../palettes.ts';
import { shade, lerpColor } from '../raster.ts';
import { along, chain, foot, headAngle, limb, offset, torso } from '../parts.ts';

const MARTH_HAIR = 0x2a3a8a;

function marthHead(pen: Pen, c: P, a: number, _pal: Palette): void {
  pen.polyAt(c.x, c.y, a, [-9, -4, -11, 8, -4, 9, 0, -8], MARTH_HAIR);
  pen.circle(c.x, c.y, 7.5, SKIN);
  pen.polyAt(c.x, c.y, a, [-9, -2, -6, -9, 3, -10, 8, -5, 3, -4, -2, -1, -4, 6, -9, 6], MARTH_HAIR);
  pen.polyAt(c.x, c.y, a, [-4, -8.5, 7, -5.5, 6.5, -4, -4, -7], GOLD);
  const eye = offset(c, a, 4.5, 0);
  pen.ellipse(eye.x, eye.y, 1, 1.7, a, BLACK);
}

function sheikHead(pen: Pen, c: P, a: number, pal: Palette): void {
  pen.circle(c.x, c.y, 7.5, pal.main);
  pen.polyAt(c.x, c.y, a, [-7, -4, 0, -10, 6, -8, 8, -3], shade(pal.main, 1.2));
  pen.polyAt(c.x, c.y, a, [1, -2, 8.5, -2, 8, 1.5, 1, 1], SKIN);
  const eye = offset(c, a, 5, -0.3);
  pen.ellipse(eye.x, eye.y, 1.6, 1.2, a, 0xb02020);
  pen.polyAt(c.x, c.y, a, [0, 2, 8, 2, 7, 8, -2, 7], WHITE);
  pen.polyAt(c.x, c.y, a, [-8, -5, -4, -10, 2, -12, -2, -7], BLONDE);
}

function peachHead(pen: Pen, c: P, a: number, _pal: Palette): void {
  pen.polyAt(c.x, c.y, a, [-9, -5, 0, -10, 7, -6, 4, 6, -3, 20, -12, 22, -12, 4], BLONDE);
  pen.circle(c.x, c.y, 7.5, SKIN);
  pen.polyAt(c.x, c.y, a, [-8, -3, -2, -10, 6, -8, 9, -3, 2, -5, -4, 0, -7, 6], BLONDE);
  pen.polyAt(c.x, c.y, a, [-4, -8, -5, -15, -2, -11, 0, -17, 2, -11, 5, -15, 4, -8], GOLD);
  const gem = offset(c, a, 0, -10);
  pen.circle(gem.x, gem.y, 1.3, 0x3060e0);
  const eye = offset(c, a, 4.5, -0.5);
  pen.ellipse(eye.x, eye.y, 1.1, 2, a, 0x2050b0);
}

export const marth: Figure = {
  body: { thigh: 24, shin: 24, torso: 27, neck: 4, upperArm: 16, forearm: 15, shoulderW: 14, headR: 7.5 },
  height: 110,
  draw({ pen, j, pose, pal, action }) {
    const sway = Math.sin(pose.flutter * Math.PI * 2) * 4;
    const capeTop = offset(j.chest, 0, -3, 2);
    const lowHip = along(j.hip, -0.9, 20);
    pen.poly(
      [capeTop.x + 5, capeTop.y - 2, capeTop.x - 4, capeTop.y, lowHip.x - 22 - sway, lowHip.y + 16, lowHip.x - 6 + sway, lowHip.y + 24, j.hip.x + 2, j.hip.y],
      shade(pal.main, 0.75),
    );
    limb(pen, j.shoulderB, j.elbowB, j.handB, 3, 2.6, 2.3, shade(pal.second, 0.7), shade(SKIN, 0.75));
    limb(pen, j.hip, j.kneeB, j.footB, 3.8, 3, 2.6, shade(pal.dark, 0.8), shade(0x6a4020, 0.7));
    foot(pen, j.footB, 9, 3, shade(0x6a4020, 0.6));
    limb(pen, j.hip, j.kneeF, j.footF, 4, 3.2, 2.8, pal.dark, 0x6a4020);
    foot(pen, j.footF, 9, 3, 0x5a3418);
    torso(pen, j, 5.5, 7, pal.second);
    pen.polyAt(j.chest.x, j.chest.y, Math.PI - j.torsoAngle, [-6, -1, 6, -1, 5, 5, -5, 5], STEEL);
    pen.capsule(j.hip.x - 5, j.hip.y - 3, j.hip.x + 5, j.hip.y - 3, 1.6, 1.6, GOLD);
    marthHead(pen, j.head, headAngle(j, pose.head), pal);
    limb(pen, j.shoulderF, j.elbowF, j.handF, 3.2, 2.8, 2.4, pal.second, SKIN);
    // the sword: long thin blade along the forearm, crossguard across it
    const swing = action === 'attack' ? 0.5 : 0;
    const dirA = j.foreFAngle + swing;
    const tip = along(j.handF, dirA, 48);
    const hilt = along(j.handF, dirA, 3);
    pen.capsule(hilt.x, hilt.y, tip.x, tip.y, 1.7, 0.7, STEEL);
    const g0 = along(hilt, dirA + Math.PI / 2, 4),
      g1 = along(hilt, dirA - Math.PI / 2, 4);
    pen.capsule(g0.x, g0.y, g1.x, g1.y, 1.2, 1.2, GOLD);
    pen.circle(j.handF.x, j.handF.y, 2.6, 0x5a3418);
  },
  head: marthHead,
};

export const sheik: Figure = {
  body: { thigh: 23, shin: 23, torso: 25, neck: 4, upperArm: 15, forearm: 14, shoulderW: 12, headR: 7.5 },
  height: 104,
  draw({ pen, j, pose, pal }) {
    const a = headAngle(j, pose.head);
    const sway = Math.sin(pose.flutter * Math.PI * 2) * 0.15;
    const nape = offset(j.head, a, -6, 2);
    chain(pen, nape, -1.25 + a * 0.5 + sway, 6, 5.5, 2.6, 1.6, 0.1 + sway * 0.5, BLONDE);
    const wrap = shade(WHITE, 0.75);
    limb(pen, j.shoulderB, j.elbowB, j.handB, 2.6, 2.2, 2, shade(pal.main, 0.7), wrap);
    limb(pen, j.hip, j.kneeB, j.footB, 3.3, 2.6, 2.2, shade(pal.main, 0.7), wrap);
    foot(pen, j.footB, 8, 2.6, shade(pal.dark, 0.8));
    limb(pen, j.hip, j.kneeF, j.footF, 3.5, 2.8, 2.3, pal.main, WHITE);
    foot(pen, j.footF, 8, 2.6, pal.dark);
    torso(pen, j, 4.5, 6, pal.main);
    const belly = along(j.hip, j.torsoAngle, 11);
    pen.polyAt(belly.x, belly.y, Math.PI - j.torsoAngle, [-5, -10, 5, -10, 4, 3, -4, 3], WHITE);
    pen.circle(belly.x + 0.5, belly.y - 4, 1.8, 0xc02020);
    const scarf = offset(j.neck, a, -2, 0);
    pen.polyAt(scarf.x, scarf.y, a, [-3, -3, 5, -3, 4, 4, -12, 9, -4, 2], pal.second);
    sheikHead(pen, j.head, a, pal);
    limb(pen, j.shoulderF, j.elbowF, j.handF, 2.8, 2.4, 2.1, pal.main, WHITE);
  },
  head: sheikHead,
};

export const peach: Figure = {
  body: { thigh: 25, shin: 25, torso: 24, neck: 5, upperArm: 15, forearm: 14, shoulderW: 12, headR: 7.5 },
  height: 114,
  draw({ pen, j, pose, pal, action }) {
    const a = headAngle(j, pose.head);
    const glove = WHITE;
    limb(pen, j.shoulderB, j.elbowB, j.handB, 2.6, 2.3, 2.1, shade(SKIN, 0.75), shade(glove, 0.7));
    foot(pen, j.footB, 8, 3, shade(pal.main, 0.5));
    foot(pen, j.footF, 8, 3, shade(pal.main, 0.6));
    // the dress: a bell from the waist down over the legs, its hem following the feet
    const waist = along(j.hip, j.torsoAngle, 8);
    const hemY = Math.max(j.footF.y, j.footB.y) - 4;
    const spread = Math.min(10, Math.abs(j.footF.x - j.footB.x) * 0.25);
    const hemL = j.hip.x - 15 - spread,
      hemR = j.hip.x + 15 + spread;
    const dress = pal.main;
    pen.poly([waist.x - 5, waist.y, waist.x + 5, waist.y, hemR, hemY, hemR - 4, hemY + 3, hemL + 4, hemY + 3, hemL, hemY], dress);
    pen.poly([hemL + 1, hemY - 6, hemR - 1, hemY - 6, hemR, hemY, hemR - 4, hemY + 3, hemL + 4, hemY + 3, hemL, hemY], shade(dress, 0.7));
    pen.poly([j.hip.x - 9, j.hip.y + 4, j.hip.x + 9, j.hip.y + 4, j.hip.x + 11, j.hip.y + 9, j.hip.x - 11, j.hip.y + 9], lerpColor(dress, WHITE, 0.4));
    torso(pen, j, 4, 6, dress);
    const brooch = along(j.hip, j.torsoAngle, 19);
    pen.circle(brooch.x + 2, brooch.y, 2.2, 0x3060e0);
    const puffC = lerpColor(dress, WHITE, 0.45);
    pen.circle(j.shoulderB.x, j.shoulderB.y, 4.5, shade(puffC, 0.8));
    peachHead(pen, j.head, a, pal);
    pen.circle(j.shoulderF.x, j.shoulderF.y, 4.8, puffC);
    limb(pen, j.shoulderF, j.elbowF, j.handF, 2.6, 2.3, 2.1, SKIN, glove);
    if (action === 'attack') {
      // the parasol: a long shaft with a wide canopy at its end
      const tip = along(j.handF, j.foreFAngle, 34);
      pen.capsule(j.handF.x, j.handF.y, tip.x, tip.y, 1, 1, 0x8a5a30);
      const ca = Math.PI - j.foreFAngle;
      pen.polyAt(tip.x, tip.y, ca, [-16, 6, 0, -4, 16, 6, 8, 8, 0, 6, -8, 8], lerpColor(dress, WHITE, 0.5));
    }
  },
  head: peachHead,
};

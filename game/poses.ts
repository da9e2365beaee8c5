// Animation cycles: each pose name maps a phase in [0, 1) to joint angles, plus seeded jitter so
// no two frames of a dataset share an exact pose.
import type { Pose } from './skeleton.ts';
import type { Rng } from '../kit/rng.ts';

export const POSES = ['idle', 'run', 'jump', 'attack', 'crouch', 'tumble'] as const;
export type PoseName = (typeof POSES)[number];

const TAU = Math.PI * 2;

export function posePhase(name: PoseName, t: number): Pose {
  const s = Math.sin(TAU * t),
    c = Math.cos(TAU * t);
  switch (name) {
    case 'idle':
      return base({
        lean: 0.05 + 0.03 * s,
        crouch: 0.04 + 0.02 * s,
        armF: [0.35 + 0.05 * s, 0.5],
        armB: [-0.15, 0.4],
        legF: [0.22, 0.25],
        legB: [-0.18, 0.2],
        flutter: t,
      });
    case 'run':
      return base({
        lean: 0.35,
        crouch: 0.05,
        head: -0.2,
        armF: [-0.9 * s, 1.2],
        armB: [0.9 * s, 1.2],
        legF: [0.85 * s + 0.1, 0.6 + 0.6 * Math.max(0, -s)],
        legB: [-0.85 * s + 0.1, 0.6 + 0.6 * Math.max(0, s)],
        flutter: t * 3,
      });
    case 'jump':
      return base({
        lean: 0.1 + 0.1 * s,
        crouch: 0.1,
        armF: [2.3 + 0.3 * c, 0.4],
        armB: [1.6 + 0.3 * s, 0.6],
        legF: [1.1, 1.9],
        legB: [0.1, 0.5],
        airborne: true,
        flutter: t * 2,
      });
    case 'attack':
      return base({
        lean: 0.25,
        crouch: 0.15,
        head: -0.1,
        armF: [0.6 + 1.4 * Math.min(1, t * 2), 0.15 - 0.1 * s],
        armB: [-0.8, 0.9],
        legF: [0.75, 0.35],
        legB: [-0.7, 0.15],
        flutter: t * 2,
      });
    case 'crouch':
      return base({ lean: 0.55, crouch: 0.4, head: -0.4, armF: [0.7, 1.0], armB: [0.4, 1.2], legF: [1.35, 2.35], legB: [0.9, 2.3], flutter: t });
    case 'tumble':
      return base({
        lean: 0.2,
        crouch: 0,
        armF: [2.6, 0.3 * s],
        armB: [1.9 + 0.4 * c, 0.5],
        legF: [0.7, 0.3],
        legB: [-0.6, 0.9],
        spin: TAU * t,
        airborne: true,
        flutter: t * 4,
      });
  }
}

function base(p: Partial<Pose>): Pose {
  return {
    lean: 0,
    crouch: 0,
    head: 0,
    armF: [0, 0],
    armB: [0, 0],
    legF: [0, 0],
    legB: [0, 0],
    spin: 0,
    airborne: false,
    flutter: 0,
    ...p,
  };
}

/** The pose at phase t with every angle nudged by up to `amount` radians. */
export function jitteredPose(name: PoseName, t: number, rng: Rng, amount: number): Pose {
  const p = posePhase(name, t);
  const j = (): number => rng.jitter(amount);
  p.lean += j() * 0.5;
  p.head += j();
  p.armF = [p.armF[0] + j(), p.armF[1] + j()];
  p.armB = [p.armB[0] + j(), p.armB[1] + j()];
  p.legF = [p.legF[0] + j() * 0.6, Math.max(0, p.legF[1] + j() * 0.6)];
  p.legB = [p.legB[0] + j() * 0.6, Math.max(0, p.legB[1] + j() * 0.6)];
  if (p.airborne) p.spin += j();
  return p;
}

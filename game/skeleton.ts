// Joint angles → joint positions (forward kinematics) for the two-armed, two-legged figures.
// Local frame: x forward (the way the figure faces), y down, feet on y = 0 when grounded.
// dir(a) = (sin a, cos a): 0 points down, +π/2 points forward, π points up.

export interface Pose {
  lean: number; // torso tilt from upright, + leans forward
  crouch: number; // hip drop as a fraction of leg length (visual, grounded poses)
  head: number; // head tilt, + nods forward
  armF: [number, number]; // front arm: shoulder (from hanging down, + swings forward/up), elbow (+ bends forward)
  armB: [number, number]; // back arm
  legF: [number, number]; // front leg: hip (+ forward), knee (+ bends the shin back)
  legB: [number, number];
  spin: number; // whole-body rotation (tumble)
  airborne: boolean;
  flutter: number; // phase for capes, hair, tails
}

export interface Proportions {
  thigh: number;
  shin: number;
  torso: number;
  neck: number;
  upperArm: number;
  forearm: number;
  shoulderW: number;
  headR: number;
}

export interface P {
  x: number;
  y: number;
}

export interface Joints {
  hip: P;
  chest: P;
  neck: P;
  head: P;
  shoulderF: P;
  elbowF: P;
  handF: P;
  shoulderB: P;
  elbowB: P;
  handB: P;
  kneeF: P;
  footF: P;
  kneeB: P;
  footB: P;
  torsoAngle: number;
  armFAngle: number;
  foreFAngle: number;
  armBAngle: number;
  foreBAngle: number;
}

const dirX = (a: number): number => Math.sin(a);
const dirY = (a: number): number => Math.cos(a);
const at = (p: P, a: number, len: number): P => ({ x: p.x + dirX(a) * len, y: p.y + dirY(a) * len });

export function solveJoints(b: Proportions, pose: Pose): Joints {
  const legLen = b.thigh + b.shin;
  const hip0: P = { x: 0, y: 0 };
  const kneeF0 = at(hip0, pose.legF[0], b.thigh);
  const footF0 = at(kneeF0, pose.legF[0] - pose.legF[1], b.shin);
  const kneeB0 = at(hip0, pose.legB[0], b.thigh);
  const footB0 = at(kneeB0, pose.legB[0] - pose.legB[1], b.shin);
  // Grounded: the lowest foot rests on y = 0. Airborne: hips stay at standing height.
  const drop = pose.airborne ? legLen * (1 - pose.crouch) : Math.max(footF0.y, footB0.y);
  const shift = (p: P): P => ({ x: p.x, y: p.y - drop });
  const hip = shift(hip0);
  const torsoAngle = Math.PI - pose.lean; // torso points up, leaning forward
  const chest = at(hip, torsoAngle, b.torso);
  const neck = at(chest, torsoAngle - pose.head * 0.3, b.neck);
  const head = at(neck, torsoAngle - pose.head, b.headR);
  const sideF = { x: chest.x + dirX(torsoAngle + Math.PI / 2) * b.shoulderW * 0.2, y: chest.y + b.torso * 0.08 };
  const sideB = { x: chest.x - dirX(torsoAngle + Math.PI / 2) * b.shoulderW * 0.2, y: chest.y + b.torso * 0.08 };
  const armFAngle = -pose.lean + pose.armF[0];
  const foreFAngle = armFAngle + pose.armF[1];
  const armBAngle = -pose.lean + pose.armB[0];
  const foreBAngle = armBAngle + pose.armB[1];
  const elbowF = at(sideF, armFAngle, b.upperArm);
  const elbowB = at(sideB, armBAngle, b.upperArm);
  return {
    hip,
    chest,
    neck,
    head,
    shoulderF: sideF,
    elbowF,
    handF: at(elbowF, foreFAngle, b.forearm),
    shoulderB: sideB,
    elbowB,
    handB: at(elbowB, foreBAngle, b.forearm),
    kneeF: shift(kneeF0),
    footF: shift(footF0),
    kneeB: shift(kneeB0),
    footB: shift(footB0),
    torsoAngle,
    armFAngle,
    foreFAngle,
    armBAngle,
    foreBAngle,
  };
}

// The live game's little simulation: one character moving about a stage (run, jump, attack,
// crouch, get hit and tumble), effects that come and go, a camera that follows smoothly.
// Deterministic for a seed; `scene()` turns the current state into a renderable SceneSpec.
import type { Character, Color, Stage } from './labels.ts';
import type { PoseName } from './poses.ts';
import type { SceneSpec, WorldEffect } from './scene.ts';
import type { Surface } from './stages/camera.ts';
import { COLORS, STAGES } from './labels.ts';
import { Rng } from './rng.ts';
import { posePhase } from './poses.ts';
import { STAGE_LOOKS } from './stages/index.ts';
import { FIGURES } from './figures/index.ts';

const GRAVITY = 1500, RUN_SPEED = 260, JUMP_SPEED = 620;
/** Animation cycles per second for each action. */
const CYCLE: Record<PoseName, number> = { idle: 0.8, run: 1.8, jump: 0.7, attack: 2.2, crouch: 0.5, tumble: 1.6 };

export class LiveSim {
  character: Character;
  private color: Color = 'default';
  private stage: Stage = 'battlefield';
  private x = 0; private y = 0; private vx = 0; private vy = 0;
  private facing: 1 | -1 = 1;
  private action: PoseName = 'idle';
  private phase = 0;
  private timer = 0;
  private targetX = 0;
  private damage = 0;
  private effects: WorldEffect[] = [];
  private cam = { cx: 0, cy: -80, zoom: 1 };
  private readonly rng: Rng;
  readonly port: number;

  constructor(seed: number, private readonly roster: readonly Character[], private readonly width: number,
    private readonly height: number) {
    this.rng = new Rng(seed);
    this.port = this.rng.int(1, 5);
    this.character = roster[0];
    this.switchTo(this.rng.pick(roster));
  }

  /** A new game: another character (when the roster allows), costume and stage; respawn puff. */
  switchCharacter(): void {
    const others = this.roster.filter((c) => c !== this.character);
    this.switchTo(others.length ? this.rng.pick(others) : this.character);
  }

  private switchTo(c: Character): void {
    this.character = c;
    this.color = this.rng.pick(COLORS);
    this.stage = this.rng.pick(STAGES);
    const main = STAGE_LOOKS[this.stage].surfaces[0];
    this.x = this.rng.range(main.x0 * 0.6, main.x1 * 0.6);
    this.y = main.y - 150; this.vx = 0; this.vy = 0;
    this.damage = 0;
    this.setAction('jump', 0.5);
    this.effects = [{ kind: 'smoke', x: this.x, y: main.y - 20, size: 70, age: 0, seed: this.rng.int(0, 1 << 30) }];
    this.cam = { cx: this.x, cy: this.y, zoom: this.width / 900 };
  }

  private setAction(a: PoseName, seconds: number): void {
    this.action = a;
    this.timer = seconds;
    this.phase = 0;
  }

  step(dt: number): void {
    const look = STAGE_LOOKS[this.stage];
    this.phase = (this.phase + dt * CYCLE[this.action]) % 1;
    this.timer -= dt;
    const airborne = this.action === 'jump' || this.action === 'tumble';
    if (airborne) {
      const before = this.y;
      this.vy += GRAVITY * dt;
      this.x += this.vx * dt;
      this.y += this.vy * dt;
      const land = this.vy > 0 ? landing(look.surfaces, this.x, before, this.y) : null;
      if (land) { this.y = land.y; this.vx = 0; this.vy = 0; this.setAction('idle', this.rng.range(0.3, 1)); }
      else if (this.y > 400) this.switchTo(this.character); // fell off: respawn
    } else if (this.action === 'run') {
      const dir = Math.sign(this.targetX - this.x) || 1;
      this.facing = dir > 0 ? 1 : -1;
      this.x += dir * RUN_SPEED * dt;
      if (Math.abs(this.targetX - this.x) < RUN_SPEED * dt) this.setAction('idle', this.rng.range(0.2, 0.8));
    }
    if (!airborne && this.action !== 'run' && this.timer <= 0) this.decide(look.surfaces[0]);
    for (const e of this.effects) e.age += dt / (e.kind === 'spark' ? 0.3 : 0.9);
    this.effects = this.effects.filter((e) => e.age < 1);
    // the camera eases towards the character; zoom breathes a little
    const k = Math.min(1, dt * 2.5);
    this.cam.cx += (this.x - this.cam.cx) * k;
    this.cam.cy += (this.y - 70 - this.cam.cy) * k;
    const zoomTarget = (this.width / 900) * (1 + 0.25 * Math.sin(this.x / 200));
    this.cam.zoom += (zoomTarget - this.cam.zoom) * k * 0.5;
  }

  private decide(main: Surface): void {
    const u = this.rng.next();
    const fig = FIGURES[this.character];
    if (u < 0.35) {
      this.targetX = this.rng.range(main.x0 + 40, main.x1 - 40);
      this.setAction('run', 10);
    } else if (u < 0.55) {
      this.vy = -JUMP_SPEED * this.rng.range(0.7, 1.1);
      this.vx = this.facing * this.rng.range(0, 200);
      this.setAction('jump', 10);
    } else if (u < 0.75) {
      this.setAction('attack', 0.45);
      this.effects.push({ kind: 'spark', x: this.x + this.facing * 50, y: this.y - fig.height * 0.55, size: 22, age: 0,
        seed: this.rng.int(0, 1 << 30) });
    } else if (u < 0.85) {
      this.setAction('crouch', this.rng.range(0.3, 0.8));
    } else if (u < 0.95) {
      // hit by something: explosion, knockback, tumble
      this.damage += this.rng.range(8, 30);
      this.effects.push({ kind: 'explosion', x: this.x, y: this.y - fig.height * 0.5, size: 60, age: 0,
        seed: this.rng.int(0, 1 << 30) });
      this.vx = -this.facing * this.rng.range(100, 300);
      this.vy = -this.rng.range(400, 700);
      this.setAction('tumble', 10);
    } else {
      this.facing = this.facing === 1 ? -1 : 1;
      this.setAction('idle', 0.5);
    }
  }

  scene(): SceneSpec {
    return {
      width: this.width, height: this.height,
      character: this.character, color: this.color, stage: this.stage,
      orientation: this.facing === 1 ? 'right' : 'left',
      action: this.action, pose: posePhase(this.action, this.phase),
      x: this.x, y: this.y, scale: 1,
      camera: { ...this.cam }, variant: 0.37, effects: this.effects,
      hud: { port: this.port, damage: this.damage, stocks: 4 },
    };
  }
}

/** The surface the character lands on when falling from y0 to y1 at x, if any. */
function landing(surfaces: readonly Surface[], x: number, y0: number, y1: number): Surface | null {
  let best: Surface | null = null;
  for (const s of surfaces) {
    if (x >= s.x0 && x <= s.x1 && y0 <= s.y && y1 >= s.y && (!best || s.y < best.y)) best = s;
  }
  return best;
}

// The live game's little simulation: one character moving about a stage (run, jump, attack,
// crouch, get hit and tumble), effects that come and go, a camera that follows smoothly.
// Deterministic for a seed; `scene()` turns the current state into a renderable SceneSpec.
// Everything a frame shows besides motion (HUD port and contents, camera zoom and framing,
// character scale, pose jitter, stage variant, effect sizes and share of frames) is drawn from
// scene.ts's dataset distributions, so a model trained on `synth` frames sees the same game live.
import type { Character, Color, Stage } from './labels.ts';
import type { PoseName } from './poses.ts';
import type { EffectKind } from './effects.ts';
import type { GameLook, HudState, SceneSpec, WorldEffect } from './scene.ts';
import type { Surface } from './stages/camera.ts';
import { COLORS, STAGES } from './labels.ts';
import { Rng } from '../kit/rng.ts';
import { jitteredPose } from './poses.ts';
import { STAGE_LOOKS } from './stages/index.ts';
import { FIGURES } from './figures/index.ts';
import { EFFECT_KINDS } from './effects.ts';
import { DEFAULT_LOOK, POSE_JITTER, randomEffectSize, randomFraming, randomHud, randomScale, randomView } from './scene.ts';

const GRAVITY = 1500,
  RUN_SPEED = 260,
  JUMP_SPEED = 620;
/** Animation cycles per second for each action. */
const CYCLE: Record<PoseName, number> = { idle: 0.8, run: 1.8, jump: 0.7, attack: 2.2, crouch: 0.5, tumble: 1.6 };
/** Seconds an effect lasts. */
const LIFE: Record<EffectKind, number> = { smoke: 0.9, explosion: 0.9, spark: 0.3 };
/** Ambient effects per second (items, projectiles, other players' hits): with the action's own
 * effects, about 30% of frames show one, like dataset frames (EFFECT_RATE). */
const AMBIENT_RATE = 0.05;
const KO_DAMAGE = 180;

export class LiveSim {
  character: Character;
  private color: Color = 'default';
  private stage: Stage = 'battlefield';
  private x = 0;
  private y = 0;
  private vx = 0;
  private vy = 0;
  private facing: 1 | -1 = 1;
  private action: PoseName = 'idle';
  private phase = 0;
  private poseSeed = 0;
  private timer = 0;
  private targetX = 0;
  private hud: HudState = { port: 1, damage: 0, stocks: 4 };
  private scale = 1;
  private variant = 0;
  /** Visible world width the camera aims for, and where on screen it keeps the character's middle. */
  private view = 900;
  private framing = { midX: 0, midY: 0 };
  private effects: WorldEffect[] = [];
  private cam = { cx: 0, cy: -80, zoom: 1 };
  private readonly rng: Rng;

  constructor(
    seed: number,
    private readonly roster: readonly Character[],
    private readonly width: number,
    private readonly height: number,
    private readonly look: GameLook = DEFAULT_LOOK,
  ) {
    this.rng = new Rng(seed);
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
    this.hud = randomHud(this.rng);
    this.scale = randomScale(this.rng);
    this.variant = this.rng.next();
    this.reframe(true);
    this.respawn();
    this.cam = this.cameraTarget();
  }

  /** Back on the main platform from above, with a smoke puff. */
  private respawn(): void {
    const main = STAGE_LOOKS[this.stage].surfaces[0];
    this.x = this.rng.range(main.x0 * 0.6, main.x1 * 0.6);
    this.y = main.y - 150;
    this.vx = 0;
    this.vy = 0;
    this.setAction('jump', 0.5);
    this.addEffect('smoke', this.x, main.y - 20);
  }

  /** A new camera shot: zoom always (on a switch) or sometimes, framing always. */
  private reframe(newView: boolean): void {
    if (newView) this.view = randomView(this.rng, this.look.view);
    const fig = FIGURES[this.character];
    const zoom = this.width / this.view;
    this.framing = randomFraming(this.rng, fig.height * 0.5 * zoom, fig.height * zoom, this.width, this.height);
  }

  private cameraTarget(): { cx: number; cy: number; zoom: number } {
    const zoom = this.width / this.view;
    const fig = FIGURES[this.character];
    return {
      cx: this.x - (this.framing.midX - this.width / 2) / zoom,
      cy: this.y - fig.height * 0.5 - (this.framing.midY - this.height / 2) / zoom,
      zoom,
    };
  }

  private addEffect(kind: EffectKind, x: number, y: number): void {
    this.effects.push({ kind, x, y, size: randomEffectSize(this.rng, FIGURES[this.character].height), age: 0, seed: this.rng.int(0, 0x7fffffff) });
  }

  private setAction(a: PoseName, seconds: number): void {
    this.action = a;
    this.timer = seconds;
    this.phase = 0;
    this.poseSeed = this.rng.int(0, 0x7fffffff);
  }

  /** A knock-out: one stock gone (a fresh set after the last), damage back to 0. */
  private ko(): void {
    this.hud = { ...this.hud, damage: 0, stocks: this.hud.stocks > 1 ? this.hud.stocks - 1 : 4 };
    this.respawn();
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
      if (land) {
        this.y = land.y;
        this.vx = 0;
        this.vy = 0;
        this.setAction('idle', this.rng.range(0.3, 1));
      } else if (this.y > 400) this.ko(); // fell off
    } else if (this.action === 'run') {
      const dir = Math.sign(this.targetX - this.x) || 1;
      this.facing = dir > 0 ? 1 : -1;
      this.x += dir * RUN_SPEED * dt;
      if (Math.abs(this.targetX - this.x) < RUN_SPEED * dt) this.setAction('idle', this.rng.range(0.2, 0.8));
    }
    if (!airborne && this.action !== 'run' && this.timer <= 0) this.decide(look.surfaces[0]);
    if (this.rng.chance(AMBIENT_RATE * dt)) this.ambientEffect();
    for (const e of this.effects) e.age += dt / LIFE[e.kind];
    this.effects = this.effects.filter((e) => e.age < 1);
    // the camera eases towards its shot
    const k = Math.min(1, dt * 2.5);
    const target = this.cameraTarget();
    this.cam.cx += (target.cx - this.cam.cx) * k;
    this.cam.cy += (target.cy - this.cam.cy) * k;
    this.cam.zoom += (target.zoom - this.cam.zoom) * k;
  }

  /** An effect near the character or somewhere in view, like dataset frames' effects. */
  private ambientEffect(): void {
    const fig = FIGURES[this.character];
    const viewW = this.width / this.cam.zoom,
      viewH = this.height / this.cam.zoom;
    const near = this.rng.chance(0.6);
    const kind = this.rng.pick(EFFECT_KINDS);
    if (near) this.addEffect(kind, this.x + this.rng.jitter(fig.height * 0.4), this.y - fig.height * this.rng.range(0.1, 0.8));
    else this.addEffect(kind, this.cam.cx + this.rng.jitter(viewW * 0.45), this.cam.cy + this.rng.jitter(viewH * 0.4));
  }

  private decide(main: Surface): void {
    const u = this.rng.next();
    const fig = FIGURES[this.character];
    this.reframe(this.rng.chance(0.15));
    if (u < 0.35) {
      this.targetX = this.rng.range(main.x0 + 40, main.x1 - 40);
      this.setAction('run', 10);
    } else if (u < 0.55) {
      this.vy = -JUMP_SPEED * this.rng.range(0.7, 1.1);
      this.vx = this.facing * this.rng.range(0, 200);
      this.setAction('jump', 10);
    } else if (u < 0.75) {
      this.setAction('attack', 0.45);
      this.addEffect('spark', this.x + this.facing * fig.height * 0.45, this.y - fig.height * 0.55);
    } else if (u < 0.85) {
      this.setAction('crouch', this.rng.range(0.3, 0.8));
    } else if (u < 0.95) {
      // hit by something: explosion, knockback, tumble; enough damage is a KO
      this.hud = { ...this.hud, damage: this.hud.damage + this.rng.range(8, 30) };
      if (this.hud.damage > KO_DAMAGE) {
        this.ko();
        return;
      }
      this.addEffect('explosion', this.x, this.y - fig.height * 0.5);
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
      width: this.width,
      height: this.height,
      character: this.character,
      color: this.color,
      stage: this.stage,
      orientation: this.facing === 1 ? 'right' : 'left',
      action: this.action,
      pose: jitteredPose(this.action, this.phase, new Rng(this.poseSeed), POSE_JITTER),
      x: this.x,
      y: this.y,
      scale: this.scale,
      camera: { ...this.cam },
      variant: this.variant,
      effects: this.effects,
      hud: this.look.hud ? { ...this.hud } : null,
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

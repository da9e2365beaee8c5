// The contract between the server and every page (overlay, operator, tests): message and state
// shapes plus validators. Pure (no Node imports) so the overlay bundles it as is. Documented with
// examples in server/PROTOCOL.md; bump PROTOCOL_VERSION on any incompatible change.
import type { Rect } from '../kit/geometry.ts';

export type { Rect };

export const PROTOCOL_VERSION = 1;

/** The label shown when the model is not confident enough (or nothing has been seen yet). */
export const UNKNOWN = 'unknown';
/** Region name used when no regions are configured: the whole frame is classified. */
export const WHOLE_FRAME = 'frame';
/** The setup name of a server run without --setup (one source, one set of regions). */
export const DEFAULT_SETUP = 'default';

export const LIMITS = {
  /** Largest accepted HTTP JSON body, in bytes (larger → 413). */
  bodyBytes: 16 * 1024,
  /** Largest accepted WebSocket message from a client, in bytes (larger → a `too-large` error). */
  clientMessageBytes: 4 * 1024,
  /** Larger than this, a client message is not even read: the connection is closed with 1009. */
  clientFrameBytes: 64 * 1024,
  regions: 16,
  regionName: /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/,
  /** Setup names (--setup), the same rule: they go into URLs and Prometheus labels as they are. */
  setupName: /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/,
  setups: 16,
} as const;

/** A rectangle in source pixel coordinates (the frame as the source delivers it). */
export interface RegionSpec extends Rect {
  name: string;
}

export interface Guess {
  label: string;
  p: number;
}

/** One region's current view: what the overlay shows and the operator inspects. */
export interface RegionView {
  name: string;
  /** null: the whole frame (no regions configured). */
  rect: Rect | null;
  /** Displayed label: the override when set, else the smoothed label, else 'unknown'. */
  label: string;
  /** Smoothed probability of the displayed model label (1 when overridden). */
  confidence: number;
  overridden: boolean;
  /** The model's own smoothed label, shown on the operator page even while overridden. */
  smoothed: string;
  /** Raw (unsmoothed) top-k of the latest frame, most probable first. */
  top: Guess[];
}

/** 'stalled': a live source delivered no frame for the stall time (ffmpeg still running); restarted like 'restarting'. */
export type SourceState = 'starting' | 'up' | 'restarting' | 'stalled' | 'down' | 'ended';
export interface SourceStatus {
  spec: string;
  live: boolean;
  state: SourceState;
  /** Source pixel size (the coordinate space of regions); null until known. */
  width: number | null;
  height: number | null;
  restarts: number;
  /** When state is 'restarting' or 'stalled': the wait before the next attempt. */
  retryInMs: number | null;
  /** Last ffmpeg failure (one line), if any. */
  lastError: string | null;
  /** Date.now() ms when `state` last changed. */
  since: number;
}

export interface EngineStatus {
  name: string;
  provider: string;
  threads: number;
  model: string;
  inputWidth: number;
  inputHeight: number;
}

export interface MetricsSummary {
  fpsIn: number;
  fpsOut: number;
  dropped: number;
  /** Capture → publish latency over the last few seconds, ms (null before any frame). */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Capture → paint, from the pages' `painted` reports (null until one arrives). */
  glassP50Ms: number | null;
  /** Source draw → paint, where the source stamps when it drew (the synthetic game); else null. */
  drawToPaintP50Ms: number | null;
  clients: number;
}

export interface SmoothingSettings {
  ema: number;
  margin: number;
  holdMs: number;
  floor: number;
}

export interface State {
  protocol: number;
  /** The setup this state is of (a page subscribes to one: `/ws?setup=`); `default` without --setup. */
  setup: string;
  /** Every setup this server runs, in --setup order (the operator page switches between them). */
  setups: string[];
  /** Every label the model can output (for override buttons), plus nothing else. */
  labels: string[];
  regions: RegionView[];
  overrides: Record<string, string>;
  smoothing: SmoothingSettings;
  source: SourceStatus;
  engine: EngineStatus;
  metrics: MetricsSummary;
  /** Sequence number and capture time of the frame behind `regions`; null before the first. */
  seq: number | null;
  capturedAt: number | null;
  /** GET this for a small JPEG of the latest frame (operator preview). */
  previewUrl: string;
}

export interface RegionPrediction {
  name: string;
  top: Guess[];
  label: string;
  confidence: number;
  overridden: boolean;
  smoothed: string;
}

// ---- server → client ----
export interface HelloMessage {
  type: 'hello';
  protocol: number;
  serverTime: number;
  state: State;
}
export interface PredictionMessage {
  type: 'prediction';
  seq: number;
  capturedAt: number;
  /** Date.now() ms when the server encoded this message (capture → publish = publishedAt - capturedAt). */
  publishedAt: number;
  regions: RegionPrediction[];
}
export interface StatusMessage {
  type: 'status';
  source: SourceStatus;
  engine: EngineStatus;
  metrics: MetricsSummary;
}
export interface LabelMessage {
  type: 'label';
  region: string;
  label: string;
  previous: string;
  confidence: number;
  overridden: boolean;
  seq: number | null;
  capturedAt: number | null;
}
/** Full state, sent after a config change (regions, overrides) and to a slow client that caught up. */
export interface StateMessage {
  type: 'state';
  state: State;
}
export interface PongMessage {
  type: 'pong';
  t: number | null;
  serverTime: number;
}
export type ErrorCode = 'bad-json' | 'bad-message' | 'too-large' | 'unauthorized';
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
}
export type ServerMessage = HelloMessage | PredictionMessage | StatusMessage | LabelMessage | StateMessage | PongMessage | ErrorMessage;

// ---- client → server ----
export interface PingMessage {
  type: 'ping';
  t?: number;
}
/** The page painted the label of frame `seq` at `paintedAt` (Date.now() ms, sub-ms allowed). */
export interface PaintedMessage {
  type: 'painted';
  seq: number;
  label: string;
  paintedAt: number;
  region?: string;
}
export type ClientMessage = PingMessage | PaintedMessage;

// ---- HTTP bodies ----
/** POST /api/override: set (label) or clear (label null) one region's override. */
export interface OverrideBody {
  region: string;
  label: string | null;
}
/** POST /api/regions: replace all regions; [] = classify the whole frame. */
export interface RegionsBody {
  regions: RegionSpec[];
}
/** Every /api response that is not 2xx. */
export interface ErrorBody {
  error: string;
}

// ---- validation ----
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function parseJson(text: string): Parsed<unknown> {
  try {
    return ok(JSON.parse(text));
  } catch (err) {
    return fail(`not JSON: ${(err as Error).message}`);
  }
}

export function validateClientMessage(raw: unknown): Parsed<ClientMessage> {
  if (!isObject(raw)) return fail('message must be a JSON object');
  switch (raw.type) {
    case 'ping':
      if (raw.t !== undefined && !isFiniteNumber(raw.t)) return fail('ping.t must be a number');
      return ok(raw.t === undefined ? { type: 'ping' } : { type: 'ping', t: raw.t });
    case 'painted': {
      if (!isNonNegInt(raw.seq)) return fail('painted.seq must be a non-negative integer');
      if (typeof raw.label !== 'string' || raw.label.length > 64) return fail('painted.label must be a string (≤ 64 chars)');
      if (!isFiniteNumber(raw.paintedAt)) return fail('painted.paintedAt must be a number (Date.now() ms)');
      if (raw.region !== undefined && typeof raw.region !== 'string') return fail('painted.region must be a string');
      const msg: PaintedMessage = { type: 'painted', seq: raw.seq, label: raw.label, paintedAt: raw.paintedAt };
      if (typeof raw.region === 'string') msg.region = raw.region;
      return ok(msg);
    }
    default:
      return fail(`unknown message type ${JSON.stringify(raw.type)} (expected "ping" or "painted")`);
  }
}

/** Client → server text frame: JSON, size-limited, then validated. */
export function parseClientMessage(text: string): Parsed<ClientMessage> {
  if (text.length > LIMITS.clientMessageBytes) return fail(`message larger than ${LIMITS.clientMessageBytes} bytes`);
  const json = parseJson(text);
  return json.ok ? validateClientMessage(json.value) : json;
}

/**
 * Server → client: checks the envelope (type and the fields each type always has). Pages use it to
 * drop what they don't understand instead of rendering garbage.
 */
export function parseServerMessage(text: string): Parsed<ServerMessage> {
  const json = parseJson(text);
  if (!json.ok) return json;
  const m = json.value;
  if (!isObject(m)) return fail('message must be a JSON object');
  switch (m.type) {
    case 'hello':
      if (m.protocol !== PROTOCOL_VERSION) return fail(`protocol ${String(m.protocol)} is not ${PROTOCOL_VERSION}`);
      return isObject(m.state) && Array.isArray(m.state.regions) ? ok(m as unknown as HelloMessage) : fail('hello.state missing');
    case 'state':
      return isObject(m.state) && Array.isArray(m.state.regions) ? ok(m as unknown as StateMessage) : fail('state.state missing');
    case 'prediction':
      return isNonNegInt(m.seq) && isFiniteNumber(m.capturedAt) && Array.isArray(m.regions)
        ? ok(m as unknown as PredictionMessage)
        : fail('prediction needs seq, capturedAt, regions');
    case 'status':
      return isObject(m.source) && isObject(m.engine) && isObject(m.metrics) ? ok(m as unknown as StatusMessage) : fail('status needs source, engine, metrics');
    case 'label':
      return typeof m.region === 'string' && typeof m.label === 'string' ? ok(m as unknown as LabelMessage) : fail('label needs region, label');
    case 'pong':
    case 'error':
      return ok(m as unknown as ServerMessage);
    default:
      return fail(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

export function validateRegionSpec(raw: unknown, where = 'region'): Parsed<RegionSpec> {
  if (!isObject(raw)) return fail(`${where} must be an object {name,x,y,w,h}`);
  const { name, x, y, w, h } = raw;
  if (typeof name !== 'string' || !LIMITS.regionName.test(name)) {
    return fail(`${where}.name must be 1-32 letters, digits or '-' (got ${JSON.stringify(name)})`);
  }
  if (name === WHOLE_FRAME) return fail(`${where}.name '${WHOLE_FRAME}' is reserved for the whole frame`);
  for (const [k, v] of [
    ['x', x],
    ['y', y],
  ] as const)
    if (!isNonNegInt(v)) return fail(`${where}.${k} must be an integer ≥ 0`);
  for (const [k, v] of [
    ['w', w],
    ['h', h],
  ] as const)
    if (!isNonNegInt(v) || v < 1) return fail(`${where}.${k} must be an integer ≥ 1`);
  return ok({ name, x: x as number, y: y as number, w: w as number, h: h as number });
}

/** Validates a list of regions: each valid, names unique, at most LIMITS.regions. */
export function validateRegions(raw: unknown): Parsed<RegionSpec[]> {
  if (!Array.isArray(raw)) return fail('regions must be an array');
  if (raw.length > LIMITS.regions) return fail(`at most ${LIMITS.regions} regions (got ${raw.length})`);
  const out: RegionSpec[] = [];
  for (let i = 0; i < raw.length; i++) {
    const r = validateRegionSpec(raw[i], `regions[${i}]`);
    if (!r.ok) return r;
    if (out.some((o) => o.name === r.value.name)) return fail(`regions[${i}].name '${r.value.name}' is used twice`);
    out.push(r.value);
  }
  return ok(out);
}

/** Rejects regions that leave the source frame (when its size is known). */
export function checkRegionsFit(regions: RegionSpec[], width: number, height: number): Parsed<RegionSpec[]> {
  for (const r of regions) {
    if (r.x + r.w > width || r.y + r.h > height) {
      return fail(`region '${r.name}' (${r.x},${r.y},${r.w},${r.h}) leaves the ${width}x${height} source frame`);
    }
  }
  return ok(regions);
}

export function validateRegionsBody(raw: unknown): Parsed<RegionsBody> {
  if (!isObject(raw)) return fail('body must be a JSON object {"regions": [...]}');
  const r = validateRegions(raw.regions);
  return r.ok ? ok({ regions: r.value }) : r;
}

/** Shape only; whether `region` exists and `label` is a model label is checked against the state. */
export function validateOverrideBody(raw: unknown): Parsed<OverrideBody> {
  if (!isObject(raw)) return fail('body must be a JSON object {"region": "...", "label": "..." | null}');
  if (typeof raw.region !== 'string' || raw.region.length === 0) return fail('override.region must be a non-empty string');
  if (raw.label !== null && (typeof raw.label !== 'string' || raw.label.length === 0)) {
    return fail('override.label must be a label string, or null to clear');
  }
  return ok({ region: raw.region, label: raw.label });
}

/** Parses `name=x,y,w,h` (the --region flag and config strings). */
export function parseRegionArg(text: string): Parsed<RegionSpec> {
  const m = /^([^=]+)=(\d+),(\d+),(\d+),(\d+)$/.exec(text.trim());
  if (!m) return fail(`region '${text}': expected name=x,y,w,h (source pixels)`);
  return validateRegionSpec({ name: m[1], x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) }, `region '${text}'`);
}

// OBS → fixed-size rgb24 frames, for when OBS already owns the capture card and ffmpeg cannot open
// it too. obs-websocket v5's GetSourceScreenshot renders one source at its own size to a JPEG;
// sharp decodes it and scales it with the model's filter (kit/resize.ts), so a frame from OBS is
// cut and resized like one from ffmpeg. JPEG at quality 90: measured against OBS 29 it was the
// fastest format OBS encodes (PNG was ~5x slower, BMP/PPM slower too: README "OBS owns my
// capture card"), and it is what the models were trained on (synth writes JPEG 90).
// One request is in flight at a time: asking faster than OBS answers only queues work in OBS.
// As with ffmpeg streams there are no reconnects here: a lost connection is an 'exit', and the
// source runner restarts the stream with its backoff.
import { EventEmitter } from 'node:events';
import sharp from 'sharp';
import { OBSWebSocket, OBSWebSocketError } from 'obs-websocket-js';
import { now } from '../kit/clock.ts';
import type { Rect, Size } from '../kit/geometry.ts';
import { SHARP_MODEL_RESIZE } from '../kit/resize.ts';
import type { FrameSourceOptions, FrameStream, FrameStreamEvents } from './frames.ts';
import type { ObsConnection } from './obs-connection.ts';

const DEFAULT_FPS = 30;
/** obs-websocket's close code for a wrong or missing password (WebSocketCloseCode.AuthenticationFailed). */
const AUTH_FAILED = 4009;
/** obs-websocket's request status for a name that matches no source (RequestStatus.ResourceNotFound). */
const RESOURCE_NOT_FOUND = 600;
/** A connect that neither succeeds nor fails (a port that swallows packets) is given up after this. */
const CONNECT_TIMEOUT_MS = 5000;
const JPEG_QUALITY = 90;

/** One line for people: what went wrong talking to OBS, naming the flag that would fix it. */
export function describeObsError(err: unknown, conn: ObsConnection, sourceName: string, kind: 'source' | 'scene' = 'source'): string {
  const where = `OBS at ${conn.url}`;
  if (err instanceof OBSWebSocketError) {
    if (err.code === AUTH_FAILED) {
      return conn.password === undefined
        ? `${where} asks for a password: give it with --obs-password (or "obsPassword" in the config file)`
        : `${where} refused the password: --obs-password is wrong (OBS: Tools → WebSocket Server Settings)`;
    }
    if (err.code === RESOURCE_NOT_FOUND) return `${where} has no ${kind} named '${sourceName}'`;
    if (/ECONNREFUSED/.test(err.message)) return `${where} is not running (or its WebSocket server is off: Tools → WebSocket Server Settings)`;
    if (err.code >= 4000) return `${where} closed the connection (${err.code}${err.message ? `: ${err.message}` : ''})`;
    return `${where}: ${err.message || `error ${err.code}`}`;
  }
  return `${where}: ${err instanceof Error ? err.message : String(err)}`;
}

export async function connectObs(conn: ObsConnection): Promise<OBSWebSocket> {
  const obs = new OBSWebSocket();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      obs.connect(conn.url, conn.password),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    await obs.disconnect().catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return obs;
}

async function screenshot(obs: OBSWebSocket, sourceName: string): Promise<Buffer> {
  const { imageData } = await obs.call('GetSourceScreenshot', { sourceName, imageFormat: 'jpg', imageCompressionQuality: JPEG_QUALITY });
  // A data URL: "data:image/jpg;base64,…".
  return Buffer.from(imageData.slice(imageData.indexOf(',') + 1), 'base64');
}

/** The source's own size in OBS: one full-size screenshot (what regions are given in). */
export async function probeObsSize(sourceName: string, conn: ObsConnection, signal?: AbortSignal): Promise<Size> {
  let obs: OBSWebSocket | undefined;
  try {
    obs = await connectObs(conn);
    signal?.throwIfAborted();
    const meta = await sharp(await screenshot(obs, sourceName)).metadata();
    if (!meta.width || !meta.height) throw new Error(`OBS sent a screenshot of '${sourceName}' with no size`);
    return { width: meta.width, height: meta.height };
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new Error(describeObsError(err, conn, sourceName));
  } finally {
    await obs?.disconnect().catch(() => {});
  }
}

export class ObsFrames extends EventEmitter<FrameStreamEvents> implements FrameStream {
  readonly pid = undefined;
  private obs: OBSWebSocket | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly sourceName: string,
    private readonly opts: FrameSourceOptions,
    private readonly conn: ObsConnection,
  ) {
    super();
    this.run().catch((err: unknown) => this.finish(describeObsError(err, this.conn, this.sourceName)));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    void this.obs?.disconnect().catch(() => {});
  }

  private async run(): Promise<void> {
    const obs = await connectObs(this.conn);
    this.obs = obs;
    if (this.stopped) {
      void obs.disconnect().catch(() => {});
      return;
    }
    obs.on('ConnectionClosed', (err) =>
      this.finish(`lost the connection to OBS at ${this.conn.url}${err.code ? ` (${err.code}${err.message ? `: ${err.message}` : ''})` : ''}`),
    );
    const interval = 1000 / (this.opts.fps ?? DEFAULT_FPS);
    const { width, height } = this.opts;
    // Paced from each request's start, so a slow answer eats into the wait instead of adding to it.
    for (let next = performance.now(); !this.stopped; ) {
      const jpeg = await screenshot(obs, this.sourceName);
      const capturedAt = now();
      const data = await this.toRgb(jpeg, width, height);
      if (this.stopped) return;
      this.emit('frame', { seq: this.seq++, capturedAt, width, height, data });
      next = Math.max(next + interval, performance.now());
      await new Promise<void>((resolve) => {
        this.timer = setTimeout(resolve, next - performance.now());
      });
    }
  }

  private async toRgb(jpeg: Buffer, width: number, height: number): Promise<Buffer> {
    let img = sharp(jpeg);
    const crop: Rect | undefined = this.opts.crop;
    if (crop) img = img.extract({ left: crop.x, top: crop.y, width: crop.w, height: crop.h });
    const { data, info } = await img.removeAlpha().resize(width, height, SHARP_MODEL_RESIZE).raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== width * height * 3)
      throw new Error(`decoded a ${info.width}x${info.height}x${info.channels} screenshot, wanted ${width}x${height}x3`);
    return data;
  }

  /** Like an ffmpeg stream's exit: no code, the reason as tail and as the one line for people. */
  private finish(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    void this.obs?.disconnect().catch(() => {});
    this.emit('exit', null, reason, reason);
  }
}

// `serve`/`demo` options: flags, an optional JSON config file (flags given on the command line win),
// validated once into a ServeConfig. Every problem is a one-line UserError naming flag or file field.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { UserError } from '../kit/errors.ts';
import { ANY_NUMBER, checkNumber, PORT, POSITIVE, POSITIVE_INT, type NumberRule } from '../kit/flags.ts';
import { DEVICE_KINDS, ENGINE_KINDS, PRECISIONS, type DeviceKind, type EngineKind, type Precision } from '../engine/engine.ts';
import { checkBind } from './auth.ts';
import { WHOLE_FRAME } from './protocol.ts';
import { regionList, resolveSetups, splitRegions } from './setup-options.ts';
import { DEFAULT_SMOOTHING, validateSmoothing } from './store.ts';
import type { ServeConfig } from './serve.ts';
import { DEFAULT_STALL_SECONDS } from './source-runner.ts';
import { resolveTsh } from './tsh-map.ts';
import { checkObsUrl, DEFAULT_OBS_URL } from '../source/obs-connection.ts';
import { DEFAULT_IDLE_SECONDS, resolveSceneRule } from './obs-scene.ts';
import { parseObsTextTargets } from './obs-text.ts';

export interface ServeFlags {
  model?: string;
  source?: string;
  fps?: string;
  captureFps: string;
  stallSeconds: string;
  region: string[];
  host: string;
  port: string;
  token?: string;
  allowHost: string[];
  engine: string;
  device: string;
  precision: string;
  threads?: string;
  ema: string;
  margin: string;
  holdMs: string;
  floor: string;
  static: string;
  tsh?: string;
  tshMap?: string;
  obsUrl: string;
  obsPassword?: string;
  obsText: string[];
  obsGameScene?: string;
  obsIdleScene?: string;
  obsIdleSeconds: string;
  setup: string[];
  config?: string;
}

const collect = (v: string, all: string[]): string[] => [...all, v];

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A relative path that is not there from the current folder is tried from the project's root
 *  (so `smashsight demo` finds models/demo and dist/overlay from anywhere). */
export function fromRepo(p: string): string {
  if (path.isAbsolute(p) || fs.existsSync(p)) return p;
  const alt = path.join(REPO_ROOT, p);
  return fs.existsSync(alt) ? alt : p;
}

/** Adds the serve options; `defaults` lets `demo` preset model and source. */
export function addServeOptions(cmd: Command, defaults: { model?: string; source?: string } = {}): Command {
  return cmd
    .option('--model <package>', 'model package folder', defaults.model)
    .option('--source <spec>', 'where frames come from (window:<title>, dolphin, file:<path>[?loop], synthetic[:seed], …)', defaults.source)
    .option('--fps <n>', 'cap on inferences per second (default: as fast as the engine goes)')
    .option('--capture-fps <n>', 'frames per second asked of the source', '30')
    .option('--stall-seconds <s>', 'a live source with no frame for this long is restarted', String(DEFAULT_STALL_SECONDS))
    .option('--region <name=x,y,w,h>', 'classify this rectangle (source pixels); repeatable; none = whole frame', collect, [])
    .option('--host <addr>', 'address to listen on (beyond loopback needs --token)', '127.0.0.1')
    .option('--port <n>', 'port for HTTP and WebSocket (0 = any free)', '8080')
    .option('--token <secret>', 'required for changes (POST, WebSocket) when set')
    .option('--allow-host <name>', 'also answer requests for this host name (a reverse proxy, a DNS name for this machine); repeatable', collect, [])
    .addOption(new Option('--engine <name>', 'inference engine').choices([...ENGINE_KINDS]).default('onnx'))
    .addOption(new Option('--device <name>', 'execution device').choices([...DEVICE_KINDS]).default('auto'))
    .addOption(
      new Option('--precision <p>', 'int8 or fp32 graph (auto: int8 when the package has one and the CPU has VNNI)').choices([...PRECISIONS]).default('auto'),
    )
    .option('--threads <n>', 'engine threads (default: all cores)')
    .option('--ema <a>', 'smoothing: weight of the newest frame in the moving average', String(DEFAULT_SMOOTHING.ema))
    .option('--margin <p>', 'smoothing: lead a new label needs over the shown one', String(DEFAULT_SMOOTHING.margin))
    .option('--hold-ms <ms>', 'smoothing: how long the lead must last', String(DEFAULT_SMOOTHING.holdMs))
    .option('--floor <p>', "smoothing: below this confidence the label is 'unknown'", String(DEFAULT_SMOOTHING.floor))
    .option('--static <dir>', 'built overlay pages', 'dist/overlay')
    .option('--tsh <url>', "TournamentStreamHelper's web server (e.g. http://127.0.0.1:5000): set each region's character on its scoreboard")
    .option('--tsh-map <map>', 'which region goes where in TSH: region=scoreboard.team.player pairs, e.g. p1=1.1.1,p2=1.2.1')
    .option('--obs-url <url>', "OBS's WebSocket server, for --source obs:<name>", DEFAULT_OBS_URL)
    .option('--obs-password <secret>', "OBS's WebSocket password (Tools → WebSocket Server Settings)")
    .option('--obs-text <region=source>', 'write this region\'s shown label into an OBS text source (e.g. p1="P1 Character"); repeatable', collect, [])
    .option('--obs-game-scene <scene>', 'switch OBS to this scene when a game starts (a character is shown in any region)')
    .option('--obs-idle-scene <scene>', 'switch OBS to this scene when a game ends (no character shown for --obs-idle-seconds)')
    .option('--obs-idle-seconds <s>', 'how long no character is shown before the game counts as over', String(DEFAULT_IDLE_SECONDS))
    .option(
      '--setup <name=spec>',
      'one setup of several on this server (its own source, regions, smoothing, TSH map); repeatable; prefix a --region, --tsh-map pair or --obs-text with <name>: to give it to one setup',
      collect,
      [],
    )
    .option('--config <file>', 'JSON file with any of these options (camelCase keys); flags override it');
}

const KEYS = [
  'model',
  'source',
  'fps',
  'captureFps',
  'stallSeconds',
  'region',
  'regions',
  'host',
  'port',
  'token',
  'allowHost',
  'engine',
  'device',
  'precision',
  'threads',
  'ema',
  'margin',
  'holdMs',
  'floor',
  'static',
  'tsh',
  'tshMap',
  'obsUrl',
  'obsPassword',
  'obsText',
  'obsGameScene',
  'obsIdleScene',
  'obsIdleSeconds',
  'setup',
  'setups',
];

function readConfig(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such config file' : `not valid JSON (${(err as Error).message})`}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${file}: must be a JSON object`);
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) throw new UserError(`${file}: unknown key "${k}" (known: ${KEYS.join(', ')})`);
  return raw as Record<string, unknown>;
}

function hostNames(where: string, v: unknown): string[] {
  if (!Array.isArray(v)) throw new UserError(`${where}: must be a list of host names`);
  for (const name of v) {
    if (typeof name !== 'string' || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(name)) {
      throw new UserError(`${where}: ${JSON.stringify(name)} is not a host name (letters, digits, '.' and '-', no port)`);
    }
  }
  return v as string[];
}

/** Flags + config file → a validated ServeConfig. `cmd` tells which flags came from the command line. */
export function resolveServeConfig(flags: ServeFlags, cmd: Command): ServeConfig {
  const file = flags.config ? readConfig(flags.config) : {};
  const fromCli = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
  const pick = (key: keyof ServeFlags, fileKey: string = key): { where: string; value: unknown } =>
    !fromCli(key) && file[fileKey] !== undefined
      ? { where: `${flags.config}: "${fileKey}"`, value: file[fileKey] }
      : { where: `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value: flags[key] };
  const str = (key: keyof ServeFlags): string | undefined => {
    const { where, value } = pick(key);
    if (value !== undefined && typeof value !== 'string') throw new UserError(`${where}: must be a string`);
    return value;
  };
  const numeric = (key: keyof ServeFlags, rule: NumberRule): number | undefined => {
    const { where, value } = pick(key);
    return value === undefined ? undefined : checkNumber(where, value, rule);
  };
  const model = str('model');
  const source = str('source');
  if (!model) throw new UserError('--model: required (a model package folder, e.g. models/demo)');
  const engine = str('engine') as EngineKind;
  const device = str('device') as DeviceKind;
  const precision = str('precision') as Precision;
  if (!ENGINE_KINDS.includes(engine)) throw new UserError(`engine: must be one of ${ENGINE_KINDS.join(', ')}, got ${engine}`);
  if (!DEVICE_KINDS.includes(device)) throw new UserError(`device: must be one of ${DEVICE_KINDS.join(', ')}, got ${device}`);
  if (!PRECISIONS.includes(precision)) throw new UserError(`precision: must be one of ${PRECISIONS.join(', ')}, got ${precision}`);
  const regionFile = file.regions ?? file.region;
  const regionsWhere = fromCli('region') || regionFile === undefined ? '--region' : `${flags.config}: "${file.regions === undefined ? 'region' : 'regions'}"`;
  const regionItems = { where: regionsWhere, value: regionsWhere === '--region' ? flags.region : regionFile };
  const allowHost = pick('allowHost');
  const allowedHosts = hostNames(allowHost.where, allowHost.value);
  const smoothing = {
    ema: numeric('ema', ANY_NUMBER)!,
    margin: numeric('margin', ANY_NUMBER)!,
    holdMs: numeric('holdMs', ANY_NUMBER)!,
    floor: numeric('floor', ANY_NUMBER)!,
  };
  const bad = validateSmoothing(smoothing);
  if (bad) throw new UserError(bad);
  const setupFlags = pick('setup');
  if (!Array.isArray(setupFlags.value)) throw new UserError(`${setupFlags.where}: must be a list of name=source spec items`);
  const setups = resolveSetups({
    flags: { where: setupFlags.where, value: setupFlags.value.map(String) },
    file: file.setups === undefined || setupFlags.value.length > 0 ? undefined : { where: `${flags.config}: "setups"`, value: file.setups },
    regions: regionItems,
    smoothing,
    tshUrl: pick('tsh'),
    tshMap: pick('tshMap'),
    obsText: pick('obsText'),
  });
  if (setups && (fromCli('source') || file.source !== undefined))
    throw new UserError('--source: not with --setup (each setup names its own source: --setup a=dolphin)');
  if (!setups && !source) throw new UserError('--source: required (e.g. synthetic, window:Dolphin, file:clip.mp4)');
  const regions = setups ? setups[0]!.regions : regionList(regionsWhere, splitRegions(regionItems, []).common);
  const config: ServeConfig = {
    model: fromRepo(model),
    source: setups ? setups[0]!.source : source!,
    fps: numeric('fps', POSITIVE),
    captureFps: numeric('captureFps', POSITIVE)!,
    stallSeconds: numeric('stallSeconds', POSITIVE)!,
    regions,
    regionsFrom: regionsWhere,
    host: str('host')!,
    port: numeric('port', PORT)!,
    token: str('token'),
    allowedHosts,
    engine,
    device,
    precision,
    threads: numeric('threads', POSITIVE_INT),
    smoothing,
    staticRoot: fromRepo(str('static')!),
    tsh: setups
      ? undefined
      : resolveTsh(
          pick('tsh'),
          pick('tshMap'),
          regions.map((r) => r.name),
        ),
    setups,
  };
  const obsUrl = pick('obsUrl');
  if (typeof obsUrl.value !== 'string') throw new UserError(`${obsUrl.where}: must be a string`);
  config.obs = { url: checkObsUrl(obsUrl.where, obsUrl.value), password: str('obsPassword') };
  const obsText = pick('obsText');
  // With several setups each one's OBS texts are its own (setup-options.ts).
  if (!setups) config.obsText = parseObsTextTargets(obsText.where, obsText.value, regions.length ? regions.map((r) => r.name) : [WHOLE_FRAME]);
  config.obsScenes = resolveSceneRule(pick('obsGameScene'), pick('obsIdleScene'), pick('obsIdleSeconds'));
  checkBind(config.host, config.token);
  return config;
}

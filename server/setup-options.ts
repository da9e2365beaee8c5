// Several setups from the options: `--setup <name>=<source spec>` (repeatable) or the config file's
// `setups` list, each with its own regions, smoothing, TSH map and OBS texts. On the command line a
// region, TSH pair or OBS text belongs to one setup by a `<setup>:` prefix (`--region a:p1=…`); a
// region without one is every setup's (identical capture cards are the common case). Checked once,
// here: every problem is one line naming the flag or the file's field.
import { UserError } from '../kit/errors.ts';
import { parseSourceSpec } from '../source/spec.ts';
import { parseObsTextTargets } from './obs-text.ts';
import { LIMITS, parseRegionArg, validateRegions, WHOLE_FRAME, type RegionSpec, type SmoothingSettings } from './protocol.ts';
import type { SetupConfig } from './setup.ts';
import { validateSmoothing } from './store.ts';
import { checkTshUrl, parseTshMap, type TshConfig } from './tsh-map.ts';

/** A value and where it came from ('--region', or `config.json: "setups"[0].regions`). */
export interface From {
  where: string;
  value: unknown;
}

const PREFIXED = /^([A-Za-z0-9][A-Za-z0-9-]{0,31}):(.*)$/s;

/** `a:p1=…` → setup a, `p1=…`; an item without a prefix is everyone's (setup null). */
export function splitPrefix(item: string): { setup: string | null; rest: string } {
  const m = PREFIXED.exec(item);
  return m ? { setup: m[1]!, rest: m[2]! } : { setup: null, rest: item };
}

function checkName(where: string, name: string, taken: readonly string[]): void {
  if (!LIMITS.setupName.test(name)) throw new UserError(`${where}: setup name ${JSON.stringify(name)} must be 1-32 letters, digits or '-'`);
  if (taken.includes(name)) throw new UserError(`${where}: setup '${name}' is named twice`);
}

function checkSource(where: string, source: unknown): string {
  if (typeof source !== 'string' || !source) throw new UserError(`${where}: needs a source spec (e.g. synthetic, window:Dolphin, file:clip.mp4)`);
  try {
    parseSourceSpec(source);
  } catch (err) {
    throw new UserError(`${where}: ${(err as Error).message}`);
  }
  return source;
}

/** `--setup name=spec` items → names and sources, in order. */
export function parseSetupFlags(where: string, items: readonly string[]): { name: string; source: string }[] {
  const out: { name: string; source: string }[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    const at = `${where} ${item}`;
    if (eq <= 0) throw new UserError(`${at}: expected <name>=<source spec>, e.g. --setup a=dolphin`);
    const name = item.slice(0, eq);
    checkName(
      at,
      name,
      out.map((s) => s.name),
    );
    out.push({ name, source: checkSource(at, item.slice(eq + 1)) });
  }
  if (out.length > LIMITS.setups) throw new UserError(`${where}: at most ${LIMITS.setups} setups (got ${out.length})`);
  return out;
}

/** Region items (strings `[setup:]name=x,y,w,h` or objects) split into everyone's and each setup's. */
export function splitRegions(from: From, setups: readonly string[]): { common: unknown[]; own: Map<string, unknown[]> } {
  if (!Array.isArray(from.value)) throw new UserError(`${from.where}: must be a list of regions`);
  const common: unknown[] = [];
  const own = new Map<string, unknown[]>(setups.map((s) => [s, []]));
  for (const item of from.value) {
    if (typeof item !== 'string') {
      common.push(item);
      continue;
    }
    const { setup, rest } = splitPrefix(item);
    if (setup === null) common.push(item);
    else if (own.has(setup)) own.get(setup)!.push(rest);
    else throw new UserError(`${from.where} ${item}: no setup '${setup}' (${setups.length ? `setups: ${setups.join(', ')}` : 'no --setup given'})`);
  }
  return { common, own };
}

/** Region items → checked regions (strings parsed like --region; names unique). */
export function regionList(where: string, items: readonly unknown[]): RegionSpec[] {
  const specs = items.map((r) => {
    if (typeof r !== 'string') return r;
    const p = parseRegionArg(r);
    if (!p.ok) throw new UserError(`${where}: ${p.error}`);
    return p.value;
  });
  const checked = validateRegions(specs);
  if (!checked.ok) throw new UserError(`${where}: ${checked.error}`);
  return checked.value;
}

/** A TSH map (`a:p1=1.1.1,b:p1=2.1.1`, or an object with `a:p1` keys) split by setup; every pair needs one. */
function splitTshMap(from: From, setups: readonly string[]): Map<string, Record<string, string>> {
  let pairs: [string, unknown][];
  if (typeof from.value === 'string') {
    pairs = from.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((item) => {
        const eq = item.indexOf('=');
        return eq < 0 ? [item, undefined] : [item.slice(0, eq), item.slice(eq + 1)];
      });
  } else if (typeof from.value === 'object' && from.value !== null && !Array.isArray(from.value)) {
    pairs = Object.entries(from.value);
  } else throw new UserError(`${from.where}: must be setup:region=scoreboard.team.player pairs, e.g. a:p1=1.1.1,b:p1=2.1.1`);
  const out = new Map<string, Record<string, string>>();
  for (const [key, target] of pairs) {
    const { setup, rest } = splitPrefix(key);
    if (setup === null) throw new UserError(`${from.where}: '${key}' needs its setup with several setups (e.g. ${setups[0]}:${key}=1.1.1)`);
    if (!setups.includes(setup)) throw new UserError(`${from.where}: no setup '${setup}' (setups: ${setups.join(', ')})`);
    const map = out.get(setup) ?? {};
    map[rest] = String(target ?? '');
    out.set(setup, map);
  }
  return out;
}

/** One setup of the config file's `setups` list, its keys checked. */
interface FileSetup {
  name: string;
  source: string;
  regions?: unknown;
  tshMap?: unknown;
  obsText?: unknown;
  smoothing: Partial<SmoothingSettings>;
}

const SETUP_KEYS = ['name', 'source', 'regions', 'tshMap', 'obsText', 'ema', 'margin', 'holdMs', 'floor'];

function fileSetups(from: From): FileSetup[] {
  if (!Array.isArray(from.value) || from.value.length === 0)
    throw new UserError(`${from.where}: must be a list of setups ({ "name": "a", "source": "dolphin", … })`);
  if (from.value.length > LIMITS.setups) throw new UserError(`${from.where}: at most ${LIMITS.setups} setups (got ${from.value.length})`);
  const out: FileSetup[] = [];
  from.value.forEach((raw: unknown, i) => {
    const at = `${from.where}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${at}: must be an object { "name", "source", … }`);
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!SETUP_KEYS.includes(k)) throw new UserError(`${at}: unknown key "${k}" (known: ${SETUP_KEYS.join(', ')})`);
    if (typeof o.name !== 'string') throw new UserError(`${at}.name: must be a string`);
    checkName(
      `${at}.name`,
      o.name,
      out.map((s) => s.name),
    );
    const smoothing: Partial<SmoothingSettings> = {};
    for (const k of ['ema', 'margin', 'holdMs', 'floor'] as const) {
      if (o[k] === undefined) continue;
      if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw new UserError(`${at}.${k}: must be a number`);
      smoothing[k] = o[k];
    }
    out.push({ name: o.name, source: checkSource(`${at}.source`, o.source), regions: o.regions, tshMap: o.tshMap, obsText: o.obsText, smoothing });
  });
  return out;
}

export interface SetupInputs {
  /** --setup items from the command line (empty: none). */
  flags: From & { value: string[] };
  /** The config file's `setups` (undefined: none). */
  file?: From;
  /** --region / the file's regions: unprefixed ones go to every setup. */
  regions: From;
  smoothing: SmoothingSettings;
  tshUrl: From;
  tshMap: From;
  obsText: From;
}

/** The setups to run, or undefined when neither --setup nor `setups` is given (one setup, as before). */
export function resolveSetups(o: SetupInputs): SetupConfig[] | undefined {
  const useFlags = o.flags.value.length > 0;
  if (!useFlags && o.file === undefined) return undefined;
  const base = useFlags ? parseSetupFlags(o.flags.where, o.flags.value).map((s) => ({ ...s, smoothing: {} })) : fileSetups(o.file!);
  const names = base.map((s) => s.name);
  const where = (s: string, field: string): string => (useFlags ? field : `${o.file!.where}[${names.indexOf(s)}].${field}`);
  const { common, own } = splitRegions(o.regions, names);
  const tshMaps = o.tshMap.value === undefined ? new Map<string, unknown>() : splitTshMap(o.tshMap, names);
  if (o.tshMap.value === undefined && o.tshUrl.value !== undefined && base.every((s) => (s as FileSetup).tshMap === undefined)) {
    throw new UserError(`${o.tshUrl.where}: needs a TSH map (--tsh-map a:p1=1.1.1,… or each setup's "tshMap")`);
  }
  const obsTexts = splitObsText(o.obsText, names);
  const taken = new Map<string, string>(); // TSH slot → setup:region, across setups
  return base.map((b) => {
    const f = b as Partial<FileSetup>;
    const regionsWhere = f.regions === undefined ? o.regions.where : where(b.name, 'regions');
    const fileRegions = f.regions === undefined ? [] : Array.isArray(f.regions) ? f.regions : [f.regions];
    const regions = regionList(regionsWhere, [...common, ...own.get(b.name)!, ...fileRegions]);
    const regionNames = regions.length ? regions.map((r) => r.name) : [WHOLE_FRAME];
    const smoothing = { ...o.smoothing, ...b.smoothing };
    const bad = validateSmoothing(smoothing);
    if (bad) throw new UserError(Object.keys(b.smoothing).length ? `${where(b.name, 'smoothing')}: ${bad}` : bad);
    const mapFrom: From | undefined =
      f.tshMap !== undefined
        ? { where: where(b.name, 'tshMap'), value: f.tshMap }
        : tshMaps.has(b.name)
          ? { where: o.tshMap.where, value: tshMaps.get(b.name) }
          : undefined;
    let tsh: TshConfig | undefined;
    if (mapFrom) {
      if (o.tshUrl.value === undefined) throw new UserError(`${mapFrom.where}: needs --tsh (TSH's web server, e.g. --tsh http://127.0.0.1:5000)`);
      tsh = { url: checkTshUrl(o.tshUrl.where, o.tshUrl.value), slots: parseTshMap(mapFrom.where, mapFrom.value, regionNames) };
      for (const s of tsh.slots) {
        const key = `${s.scoreboard}.${s.team}.${s.player}`;
        const twin = taken.get(key);
        if (twin) throw new UserError(`${mapFrom.where}: ${b.name}:${s.region} and ${twin} both go to ${key}`);
        taken.set(key, `${b.name}:${s.region}`);
      }
    }
    const textFrom: From =
      f.obsText !== undefined ? { where: where(b.name, 'obsText'), value: f.obsText } : { where: o.obsText.where, value: obsTexts.get(b.name) ?? [] };
    const obsText = parseObsTextTargets(textFrom.where, textFrom.value, regionNames);
    return { name: b.name, source: b.source, regions, regionsFrom: regionsWhere, smoothing, tsh, obsText };
  });
}

/** OBS text items (`a:p1=P1 Character`) split by setup; every item needs one with several setups. */
function splitObsText(from: From, setups: readonly string[]): Map<string, string[]> {
  if (!Array.isArray(from.value)) throw new UserError(`${from.where}: must be a list of setup:region=OBS text source items`);
  const out = new Map<string, string[]>();
  for (const item of from.value) {
    const { setup, rest } = typeof item === 'string' ? splitPrefix(item) : { setup: null, rest: '' };
    if (setup === null || !setups.includes(setup)) {
      throw new UserError(`${from.where}: ${JSON.stringify(item)} must name one of the setups (${setups.join(', ')}), e.g. ${setups[0]}:p1=P1 Character`);
    }
    out.set(setup, [...(out.get(setup) ?? []), rest]);
  }
  return out;
}

// What smashsight needs to know of TournamentStreamHelper's side: its Melee character names, and
// the `--tsh` / `--tsh-map` options (region → scoreboard.team.player), checked once as they enter.
import { UserError } from '../kit/errors.ts';
import { WHOLE_FRAME } from './protocol.ts';

/** A TSH Melee character: `en` is the key TSH matches pushed mains on, `codename` what its state exports. */
export interface TshCharacter {
  en: string;
  codename: string;
}

/** TSH's game codename for Melee: the key of a player's `mains` in the update body. */
export const TSH_GAME = 'ssbm';

// TSH's character_to_codename for ssbm (StreamHelperAssets games/ssbm/base_files/config.json), in its order.
const MELEE: readonly TshCharacter[] = [
  ['Mario', 'mario'],
  ['Donkey Kong', 'donkey_kong'],
  ['Link', 'link'],
  ['Samus', 'samus'],
  ['Yoshi', 'yoshi'],
  ['Kirby', 'kirby'],
  ['Fox', 'fox'],
  ['Pikachu', 'pikachu'],
  ['Luigi', 'luigi'],
  ['Ness', 'ness'],
  ['Captain Falcon', 'captain_falcon'],
  ['Jigglypuff', 'jigglypuff'],
  ['Peach', 'peach'],
  ['Bowser', 'bowser'],
  ['Ice Climbers', 'ice_climbers'],
  ['Sheik', 'sheik'],
  ['Zelda', 'zelda'],
  ['Dr. Mario', 'dr_mario'],
  ['Pichu', 'pichu'],
  ['Falco', 'falco'],
  ['Marth', 'marth'],
  ['Young Link', 'young_link'],
  ['Ganondorf', 'ganondorf'],
  ['Mewtwo', 'mewtwo'],
  ['Roy', 'roy'],
  ['Mr. Game & Watch', 'game_&_watch'],
].map(([en, codename]) => ({ en: en!, codename: codename! }));

// The short names players (and the demo's labels: falcon, puff) use, for labels that are neither
// TSH's name nor its codename.
const NICKNAMES: Record<string, string> = {
  falcon: 'captain_falcon',
  cf: 'captain_falcon',
  puff: 'jigglypuff',
  jiggs: 'jigglypuff',
  dk: 'donkey_kong',
  ics: 'ice_climbers',
  ic: 'ice_climbers',
  icies: 'ice_climbers',
  doc: 'dr_mario',
  ylink: 'young_link',
  yl: 'young_link',
  ganon: 'ganondorf',
  m2: 'mewtwo',
  gnw: 'game_&_watch',
  gw: 'game_&_watch',
  gameandwatch: 'game_&_watch',
  pika: 'pikachu',
};

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

const BY_KEY = new Map<string, TshCharacter>();
for (const c of MELEE) {
  BY_KEY.set(squash(c.en), c);
  BY_KEY.set(squash(c.codename), c);
}
for (const [nick, codename] of Object.entries(NICKNAMES)) BY_KEY.set(nick, MELEE.find((c) => c.codename === codename)!);

/** TSH's character for a model label (case and punctuation aside), or null when Melee has none. */
export function tshCharacter(label: string): TshCharacter | null {
  return BY_KEY.get(squash(label)) ?? null;
}

/** Where a region's character goes in TSH: scoreboard n, team t (1 or 2), player p, all from 1. */
export interface TshTarget {
  scoreboard: number;
  team: number;
  player: number;
}

export interface TshSlot extends TshTarget {
  region: string;
}

export interface TshConfig {
  /** TSH's web server, e.g. http://127.0.0.1:5000 (no trailing slash). */
  url: string;
  slots: TshSlot[];
  /** How often TSH's state is read to see edits made there (ms). */
  pollMs?: number;
  /** Retry delays after a failure: from initialMs, doubling, up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
}

export function checkTshUrl(where: string, value: unknown): string {
  if (typeof value !== 'string') throw new UserError(`${where}: must be a string (TSH's web server, e.g. http://127.0.0.1:5000)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${where}: '${value}' is not a URL (TSH's web server, e.g. http://127.0.0.1:5000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`${where}: '${value}' must be an http:// or https:// URL`);
  if (url.search || url.hash || url.username) throw new UserError(`${where}: '${value}' must be TSH's address alone (no query, fragment or user)`);
  return url.href.replace(/\/+$/, '');
}

const TARGET = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * `p1=1.1.1,p2=1.2.1` (or the config file's `{ "p1": "1.1.1" }`) → slots. Regions must be among
 * `regions` (the whole frame is `frame` when there are none); teams are 1 or 2, as in TSH.
 */
export function parseTshMap(where: string, value: unknown, regions: readonly string[]): TshSlot[] {
  const known = regions.length ? regions : [WHOLE_FRAME];
  let pairs: [string, unknown][];
  if (typeof value === 'string') {
    pairs = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((item) => {
        const eq = item.indexOf('=');
        if (eq < 0) throw new UserError(`${where}: '${item}' must be region=scoreboard.team.player, e.g. p1=1.1.1`);
        return [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
      });
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    pairs = Object.entries(value);
  } else {
    throw new UserError(`${where}: must be region=scoreboard.team.player pairs, e.g. p1=1.1.1,p2=1.2.1`);
  }
  if (pairs.length === 0) throw new UserError(`${where}: empty (e.g. p1=1.1.1,p2=1.2.1)`);
  const slots: TshSlot[] = [];
  for (const [region, target] of pairs) {
    if (!known.includes(region)) throw new UserError(`${where}: no region '${region}' (regions: ${known.join(', ')})`);
    const m = typeof target === 'string' ? TARGET.exec(target) : null;
    const [scoreboard, team, player] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    if (!m || scoreboard < 1 || player < 1 || (team !== 1 && team !== 2)) {
      throw new UserError(`${where}: ${region}=${String(target)}: must be scoreboard.team.player (from 1; team 1 or 2), e.g. 1.2.1`);
    }
    if (slots.some((s) => s.region === region)) throw new UserError(`${where}: region '${region}' is mapped twice`);
    const twin = slots.find((s) => s.scoreboard === scoreboard && s.team === team && s.player === player);
    if (twin) throw new UserError(`${where}: ${region} and ${twin.region} both go to ${target}`);
    slots.push({ region, scoreboard, team, player });
  }
  return slots;
}

/** Both options together: a map needs a URL, a URL needs a map. Undefined when neither is given. */
export function resolveTsh(url: { where: string; value: unknown }, map: { where: string; value: unknown }, regions: readonly string[]): TshConfig | undefined {
  if (url.value === undefined && map.value === undefined) return undefined;
  if (url.value === undefined) throw new UserError(`${map.where}: needs --tsh (TSH's web server, e.g. --tsh http://127.0.0.1:5000)`);
  if (map.value === undefined) throw new UserError(`${url.where}: needs --tsh-map (which region goes where, e.g. --tsh-map p1=1.1.1,p2=1.2.1)`);
  return { url: checkTshUrl(url.where, url.value), slots: parseTshMap(map.where, map.value, regions) };
}

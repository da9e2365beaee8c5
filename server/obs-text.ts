// Each mapped region's shown label into an OBS text source (`--obs-text p1=P1 Character`) through
// obs-websocket's SetInputSettings, so a scene can show it without a browser source; obs-writer.ts
// sends them.
import { UserError } from '../kit/errors.ts';
import type { ObsWrite } from './obs-writer.ts';
import type { State } from './protocol.ts';

export interface ObsTextTarget {
  region: string;
  /** The OBS input (a Text source: text_ft2_source_v2 on Linux/macOS, text_gdiplus on Windows). */
  input: string;
}

/** `region=OBS source name` items (from --obs-text or the config file's list), checked once. */
export function parseObsTextTargets(where: string, items: unknown, regions: string[]): ObsTextTarget[] {
  if (!Array.isArray(items)) throw new UserError(`${where}: must be a list of region=OBS text source items`);
  return items.map((item) => {
    const eq = typeof item === 'string' ? item.indexOf('=') : -1;
    if (typeof item !== 'string' || eq <= 0 || eq === item.length - 1) {
      throw new UserError(`${where}: ${JSON.stringify(item)} is not region=OBS text source (e.g. p1=P1 Character)`);
    }
    const region = item.slice(0, eq);
    if (!regions.includes(region)) throw new UserError(`${where}: no region '${region}' (regions: ${regions.join(', ')})`);
    return { region, input: item.slice(eq + 1) };
  });
}

/** The writes that put each target region's shown label (empty for `unknown`) into its text source. */
export function textWrites(targets: ObsTextTarget[], state: State): ObsWrite[] {
  return targets.map((t) => {
    const label = state.regions.find((v) => v.name === t.region)?.label ?? 'unknown';
    const text = label === 'unknown' ? '' : label;
    return {
      key: `text:${t.input}`,
      value: text,
      target: { kind: 'source', name: t.input },
      send: (obs) => obs.call('SetInputSettings', { inputName: t.input, inputSettings: { text } }),
    };
  });
}

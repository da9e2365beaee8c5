// Where OBS's WebSocket server is and how to log in: the `--obs-url`/`--obs-password` pair, validated
// once here. Kept apart from source/obs.ts so reading flags does not load the client.
import { UserError } from '../kit/errors.ts';

/** obs-websocket's own default (Tools → WebSocket Server Settings). */
export const DEFAULT_OBS_URL = 'ws://127.0.0.1:4455';

export interface ObsConnection {
  url: string;
  /** Unset: connect without authentication (OBS with "Enable Authentication" off). */
  password?: string;
}

/** `where` names the flag or config-file field, for the one-line error. */
export function checkObsUrl(where: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`${where}: '${text}' is not a URL (expected e.g. ${DEFAULT_OBS_URL})`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UserError(`${where}: '${text}' must start with ws:// or wss:// (e.g. ${DEFAULT_OBS_URL})`);
  return text;
}

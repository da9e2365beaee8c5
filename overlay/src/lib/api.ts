// The operator page's writes: JSON POSTs to the server's API (token passed as a Bearer header).
import type { ErrorBody, OverrideBody, RegionSpec, RegionsBody, State } from '../../../server/protocol.ts';

export type ApiResult = { ok: true; state: State } | { ok: false; error: string };

async function post(path: string, body: OverrideBody | RegionsBody, token: string | null, setup?: string): Promise<ApiResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const url = setup ? `${path}?setup=${encodeURIComponent(setup)}` : path;
  try {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    if (res.ok) return { ok: true, state: (await res.json()) as State };
    const err = (await res.json().catch(() => ({ error: res.statusText }))) as ErrorBody;
    return { ok: false, error: `${path}: ${res.status} ${err.error}` };
  } catch (e) {
    return { ok: false, error: `${path}: ${(e as Error).message}` };
  }
}

/** `setup`: the setup the page shows (the server's first when undefined). */
export const postOverride = (region: string, label: string | null, token: string | null, setup?: string): Promise<ApiResult> =>
  post('/api/override', { region, label }, token, setup);

export const postRegions = (regions: RegionSpec[], token: string | null, setup?: string): Promise<ApiResult> => post('/api/regions', { regions }, token, setup);

// The operator's actions (the REST API's POSTs): change the region set or override a label. Each
// answers with the new state, which every page also gets at once.
import type { OverrideBody, Parsed, RegionSpec, State } from './protocol.ts';
import { checkRegionsFit } from './protocol.ts';
import type { SourceRunner } from './source-runner.ts';
import type { StateStore } from './store.ts';
import type { WsHub } from './publish.ts';

export class Controls {
  constructor(
    private readonly store: StateStore,
    private readonly source: Pick<SourceRunner, 'sourceSize' | 'refit'>,
    private readonly hub: Pick<WsHub, 'broadcast'>,
  ) {}

  setRegions(regions: RegionSpec[]): Parsed<State> {
    // The same rule as for --region at startup: inside the source frame, so its size must be known.
    const size = this.source.sourceSize;
    if (!size) return { ok: false, error: "the source's frame size is not known yet (the source is starting): try again once it is up" };
    const fit = checkRegionsFit(regions, size.width, size.height);
    if (!fit.ok) return fit;
    this.store.setRegions(regions);
    this.source.refit();
    return { ok: true, value: this.pushState() };
  }

  setOverride(b: OverrideBody): Parsed<State> {
    const r = this.store.setOverride(b.region, b.label);
    if (!r.ok) return r;
    if (r.value) this.hub.broadcast(r.value);
    return { ok: true, value: this.pushState() };
  }

  private pushState(): State {
    const state = this.store.snapshot();
    this.hub.broadcast({ type: 'state', state });
    return state;
  }
}

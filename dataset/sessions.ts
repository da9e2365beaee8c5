// Capture sessions: `capture` appends one JSON line per run to <out>/<character>/capture-sessions.jsonl
// ({label, from, to, started}). `split --group-by session` keeps each run's frames together; frames
// no run claims (e.g. from `synth` or the notebook's recordings, one video per label) group by label.
import fs from 'node:fs';
import path from 'node:path';
import type { FrameName } from './naming.ts';

export const SESSIONS_FILE = 'capture-sessions.jsonl';

export interface CaptureSession {
  label: string;
  from: number;
  to: number;
  started: string;
}

/** label → that label's sessions. */
export type SessionIndex = Map<string, CaptureSession[]>;

export function labelOf(n: Omit<FrameName, 'number'>): string {
  return `${n.character}_${n.color}_${n.stage}_${n.orientation}`;
}

export function readSessions(imagesDir: string, characters: Iterable<string>): SessionIndex {
  const index: SessionIndex = new Map();
  for (const character of characters) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(imagesDir, character, SESSIONS_FILE), 'utf8');
    } catch {
      continue; // no sidecar: every frame groups by its label
    }
    for (const line of text.split('\n')) {
      let s: Partial<CaptureSession>;
      try {
        s = JSON.parse(line) as Partial<CaptureSession>;
      } catch {
        continue; // a torn last line from an interrupted capture
      }
      if (typeof s.label !== 'string' || typeof s.from !== 'number' || typeof s.to !== 'number') continue;
      index.set(s.label, [...(index.get(s.label) ?? []), s as CaptureSession]);
    }
  }
  return index;
}

export function sessionKey(n: FrameName, index: SessionIndex | undefined): string {
  const label = labelOf(n);
  const hit = index?.get(label)?.find((s) => n.number >= s.from && n.number <= s.to);
  return hit ? `${label}#${hit.from}` : label;
}

export function appendSession(imagesDir: string, s: CaptureSession): void {
  const character = s.label.split('_')[0]!;
  fs.appendFileSync(path.join(imagesDir, character, SESSIONS_FILE), `${JSON.stringify(s)}\n`);
}

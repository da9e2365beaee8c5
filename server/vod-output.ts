// What `vod` writes: per-region segments of the smoothed label, short ones merged away, YouTube
// chapter lines built from them, and the JSON, CSV and chapter files, each written atomically
// (temp file + rename) so that a run stopped at any moment leaves the previous complete version.
import fs from 'node:fs';
import { tempNameFor } from '../kit/temp-files.ts';

/** One region's smoothed labels, one per analysed frame (frame i covers [i/fps, (i+1)/fps)). */
export interface Track {
  region: string;
  labels: readonly string[];
  confidence: readonly number[];
}

export interface Segment {
  region: string;
  label: string;
  /** Seconds of video time. */
  start: number;
  end: number;
  /** Mean smoothed confidence over the frames that showed this label. */
  confidence: number;
}

export interface Chapter {
  /** Seconds of video time; the line shows it rounded down to the second. */
  start: number;
  title: string;
  line: string;
}

export interface Timeline {
  input: string;
  model: string;
  fps: number;
  regions: string[];
  minSegment: number;
  /** False for a run that was interrupted (or is still going): the timeline stops at `seconds`. */
  complete: boolean;
  /** Video time analysed. */
  seconds: number;
  /** The input's duration as its header states it (null when it has none). */
  duration: number | null;
  segments: Segment[];
  chapters: Chapter[];
}

/** Several regions' labels in one chapter title. */
export const TITLE_JOIN = ' vs ';

interface Span {
  label: string;
  start: number;
  end: number;
  /** Frames that showed `label`, and their confidence summed (absorbed spans add none). */
  frames: number;
  confidenceSum: number;
}

const ms = (s: number): number => Math.round(s * 1000) / 1000;

function runsOf(track: Track, fps: number): Span[] {
  const spans: Span[] = [];
  track.labels.forEach((label, i) => {
    const last = spans.at(-1);
    const c = track.confidence[i] ?? 0;
    if (last && last.label === label) {
      last.end = (i + 1) / fps;
      last.frames++;
      last.confidenceSum += c;
    } else spans.push({ label, start: i / fps, end: (i + 1) / fps, frames: 1, confidenceSum: c });
  });
  return spans;
}

/**
 * Merges spans shorter than `min` seconds away, shortest first: each goes to the span after it (a
 * short span is mostly the unsettled start of the next game), the last one to the span before;
 * neighbours left with the same label become one.
 */
export function mergeShort(input: readonly Span[], min: number): Span[] {
  const spans = input.map((s) => ({ ...s }));
  for (;;) {
    let shortest = -1;
    for (let i = 0; i < spans.length; i++) {
      const d = spans[i]!.end - spans[i]!.start;
      if (d < min && (shortest < 0 || d < spans[shortest]!.end - spans[shortest]!.start)) shortest = i;
    }
    if (shortest < 0 || spans.length < 2) return spans;
    const gone = spans[shortest]!;
    let at = shortest < spans.length - 1 ? shortest + 1 : shortest - 1;
    if (at > shortest) spans[at]!.start = gone.start;
    else spans[at]!.end = gone.end;
    spans.splice(shortest, 1);
    if (at > shortest) at--;
    // fuse with equal neighbours: the short span was all that stood between them
    for (const j of [at + 1, at]) {
      const a = spans[j - 1];
      const b = spans[j];
      if (j > 0 && a && b && a.label === b.label) {
        spans.splice(j - 1, 2, { label: a.label, start: a.start, end: b.end, frames: a.frames + b.frames, confidenceSum: a.confidenceSum + b.confidenceSum });
      }
    }
  }
}

export function segmentsOf(track: Track, fps: number, minSegment: number): Segment[] {
  return mergeShort(runsOf(track, fps), minSegment).map((s) => ({
    region: track.region,
    label: s.label,
    start: ms(s.start),
    end: ms(s.end),
    confidence: Math.round((s.frames ? s.confidenceSum / s.frames : 0) * 1e4) / 1e4,
  }));
}

/** `HH:MM:SS`, rounded down: a chapter never starts before its label does by more than the rounding. */
export function chapterTime(seconds: number): string {
  const s = Math.floor(seconds + 1e-6);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/**
 * Chapters from the regions' segments (given in region order): wherever any region's label
 * changes, titled with every region's label joined by " vs "; chapters shorter than `minSegment`
 * are merged away like segments, and of two chapters in the same second the later stays.
 */
export function chaptersOf(segments: readonly Segment[], regions: readonly string[], minSegment: number): Chapter[] {
  const per = regions.map((r) => segments.filter((s) => s.region === r));
  const cuts = [...new Set(segments.map((s) => s.start))].sort((a, b) => a - b);
  const end = Math.max(0, ...segments.map((s) => s.end));
  const spans: Span[] = [];
  cuts.forEach((start, i) => {
    const title = per.map((list) => [...list].reverse().find((s) => s.start <= start)?.label ?? 'unknown').join(TITLE_JOIN);
    const stop = cuts[i + 1] ?? end;
    const last = spans.at(-1);
    if (last && last.label === title) last.end = stop;
    else spans.push({ label: title, start, end: stop, frames: 0, confidenceSum: 0 });
  });
  const chapters: Chapter[] = [];
  for (const s of mergeShort(spans, minSegment)) {
    const line = `${chapterTime(s.start)} ${s.label}`;
    if (chapters.length > 0 && chapterTime(chapters.at(-1)!.start) === chapterTime(s.start)) chapters.pop();
    chapters.push({ start: ms(s.start), title: s.label, line });
  }
  return chapters;
}

/** What YouTube needs before it shows chapters; null when the list qualifies. */
export function youtubeProblem(chapters: readonly Chapter[], seconds: number): string | null {
  if (chapters.length < 3) return `${chapters.length} chapter${chapters.length === 1 ? '' : 's'}: YouTube shows chapters only from 3`;
  const ends = [...chapters.slice(1).map((c) => c.start), seconds];
  const short = chapters.findIndex((c, i) => ends[i]! - Math.floor(c.start) < 10);
  return short < 0 ? null : `chapter '${chapters[short]!.line}' is under 10 s, YouTube's minimum (raise --min-segment)`;
}

function csvField(v: string | number): string {
  const text = String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(segments: readonly Segment[]): string {
  const rows = segments.map((s) => [s.region, s.label, s.start, s.end, s.confidence].map(csvField).join(','));
  return `${['region,label,start,end,confidence', ...rows].join('\n')}\n`;
}

export function formatChapters(chapters: readonly Chapter[]): string {
  return chapters.map((c) => `${c.line}\n`).join('');
}

export interface OutputPaths {
  json: string;
  csv: string;
  chapters: string;
}

export function outputPaths(base: string): OutputPaths {
  return { json: `${base}.json`, csv: `${base}.csv`, chapters: `${base}.chapters.txt` };
}

function writeAtomically(target: string, text: string): void {
  const temp = tempNameFor(target); // a run killed outright leaves it for the next run to remove
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, target);
}

/**
 * Writes the three files. Synchronous on purpose: a signal is handled between event-loop steps,
 * so it can never land between a temp file's write and its rename.
 */
export function writeTimeline(paths: OutputPaths, timeline: Timeline): void {
  writeAtomically(paths.json, `${JSON.stringify(timeline, null, 2)}\n`);
  writeAtomically(paths.csv, formatCsv(timeline.segments));
  writeAtomically(paths.chapters, formatChapters(timeline.chapters));
}

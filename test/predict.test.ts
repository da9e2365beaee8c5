// `smashsight predict`: the same top-k for an image, the folder holding it, and a video of it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.ts';
import { findFfmpeg } from '../source/ffmpeg.ts';
import { imageSplit, randomPackage } from './helpers/training-fixtures.ts';

interface Line {
  input: string;
  top: { label: string; p: number }[];
}

function predict(args: string[]): Line[] {
  const r = spawnSync(process.execPath, [CLI, 'predict', ...args, '--json', '--threads', '1'], { encoding: 'utf8' });
  expect(r.stderr).not.toMatch(/Error:/);
  expect(r.status).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

describe('smashsight predict', () => {
  it('gives top-k labels with probabilities for an image, a folder and a video', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    const classes = ['fox', 'marth', 'peach', 'samus'];
    const model = path.join(root, 'm');
    await randomPackage(model, classes);
    const images = await imageSplit(root, 'test', ['fox', 'marth'], 2);
    const one = path.join(images, 'marth', 'marth_default_battlefield_left_bg_on_001.jpg');

    const [single] = predict([one, '--model', model, '--top', '3']);
    expect(single.input).toBe(one);
    expect(single.top).toHaveLength(3);
    expect(single.top.map((t) => t.label).every((l) => classes.includes(l))).toBe(true);
    expect(single.top[0].p).toBeGreaterThanOrEqual(single.top[1].p);
    expect(single.top[1].p).toBeGreaterThanOrEqual(single.top[2].p);

    const all = predict([images, '--model', model, '--top', '4']);
    expect(all.map((l) => path.basename(l.input))).toHaveLength(4);
    const same = all.find((l) => l.input === one)!;
    expect(same.top.slice(0, 3).map((t) => t.label)).toEqual(single.top.map((t) => t.label));
    expect(same.top.reduce((a, t) => a + t.p, 0)).toBeCloseTo(1, 4); // all classes: a softmax

    const text = spawnSync(process.execPath, [CLI, 'predict', one, '--model', model, '--top', '2'], { encoding: 'utf8' });
    expect(text.stdout.trim()).toMatch(new RegExp(`^${one.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\w+ [01]\\.\\d{3}, \\w+ [01]\\.\\d{3}$`));

    // A 1-second video of that frame: every decoded frame gets a line.
    const video = path.join(root, 'clip.mp4');
    const ff = spawnSync(findFfmpeg().path, [
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-i',
      one,
      '-t',
      '1',
      '-r',
      '5',
      '-pix_fmt',
      'yuv420p',
      '-vf',
      'scale=80:60',
      video,
    ]);
    expect(ff.status).toBe(0);
    const frames = predict([video, '--model', model, '--top', '1']);
    expect(frames.length).toBe(5);
    expect(frames[0].input).toBe(`${video}#0`);
    expect(new Set(frames.map((f) => f.top[0].label)).size).toBe(1);
  });

  it('stops at an undecodable image naming it, and skips it with the --skip-bad it suggests', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    await randomPackage(path.join(root, 'm'), ['fox', 'marth']);
    const images = await imageSplit(root, 'test', ['fox'], 2);
    const bad = path.join(images, 'fox', 'fox_default_battlefield_left_bg_on_005.jpg');
    fs.writeFileSync(bad, 'not a jpeg');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'predict', ...args, '--model', path.join(root, 'm'), '--threads', '1'], { encoding: 'utf8' });
    for (const input of [bad, images]) {
      const stop = run(input);
      expect(stop.status).toBe(1);
      expect(stop.stderr.trim().split('\n').pop()).toMatch(new RegExp(`^smashsight: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*--skip-bad`));
    }
    const skip = run(images, '--skip-bad');
    expect(skip.stderr).not.toMatch(/unknown option/);
    expect(skip.status).toBe(0);
    expect(skip.stderr).toContain(`skipping ${bad}: `);
    expect(skip.stdout.trim().split('\n')).toHaveLength(2);
    const none = run(bad, '--skip-bad');
    expect(none.status).toBe(1);
    expect(none.stderr.trim().split('\n').pop()).toBe(`smashsight: ${bad}: no image could be decoded (1 skipped)`);
  });

  it('fails with one line for a missing input', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-'));
    await randomPackage(path.join(root, 'm'), ['fox']);
    const r = spawnSync(process.execPath, [CLI, 'predict', path.join(root, 'nope.jpg'), '--model', path.join(root, 'm')], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(`smashsight: ${path.join(root, 'nope.jpg')}: no such file or folder`);
  });
});

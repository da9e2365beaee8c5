import { describe, expect, it } from 'vitest';
import { UserError } from '../kit/errors.ts';
import type { FfmpegInfo } from '../source/ffmpeg.ts';
import { ffmpegInputFor } from '../source/input.ts';
import { formatSourceSpec, isLiveSource, parseSourceSpec, splitArgs } from '../source/spec.ts';
import { parseWindowTree, pickDolphin } from '../source/x11.ts';

describe('parseSourceSpec', () => {
  it('parses every kind', () => {
    expect(parseSourceSpec('window:Dolphin 5.0 | Melee')).toEqual({ kind: 'window', title: 'Dolphin 5.0 | Melee' });
    expect(parseSourceSpec('dolphin')).toEqual({ kind: 'dolphin' });
    expect(parseSourceSpec('region:10,20,640,480')).toEqual({ kind: 'region', x: 10, y: 20, w: 640, h: 480 });
    expect(parseSourceSpec('region:0,0,320,240@:1.0')).toEqual({ kind: 'region', x: 0, y: 0, w: 320, h: 240, display: ':1.0' });
    expect(parseSourceSpec('v4l2:/dev/video2')).toEqual({ kind: 'v4l2', device: '/dev/video2' });
    expect(parseSourceSpec('file:a b.mp4')).toEqual({ kind: 'file', path: 'a b.mp4', loop: false });
    expect(parseSourceSpec('file:/x/clip.mkv?loop')).toEqual({ kind: 'file', path: '/x/clip.mkv', loop: true });
    expect(parseSourceSpec('url:srt://127.0.0.1:9000?mode=listener')).toEqual({ kind: 'url', url: 'srt://127.0.0.1:9000?mode=listener' });
    expect(parseSourceSpec('url:https://example.com/live.m3u8').kind).toBe('url');
    expect(parseSourceSpec('synthetic')).toEqual({ kind: 'synthetic', seed: 1 });
    expect(parseSourceSpec('synthetic:42')).toEqual({ kind: 'synthetic', seed: 42 });
    expect(parseSourceSpec(`ffmpeg:-f lavfi -i "testsrc=size=320x240:rate=10" -map 0:v`)).toEqual({
      kind: 'ffmpeg',
      args: ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-map', '0:v'],
    });
  });

  it.each([
    ['', /unknown source kind/],
    ['screen:1', /unknown source kind 'screen'/],
    ['window:', /title is empty/],
    ['dolphin:x', /takes no argument/],
    ['region:1,2,3', /four non-negative integers/],
    ['region:1,2,0,4', /width and height/],
    ['region:a,2,3,4', /four non-negative integers/],
    ['v4l2:video0', /device path/],
    ['file:', /path is empty/],
    ['file:?loop', /path is empty/],
    ['url:not a url', /not a URL/],
    ['url:ftp://host/x', /protocol 'ftp:'/],
    ['synthetic:-1', /seed '-1'/],
    ['synthetic:abc', /seed 'abc'/],
    ['ffmpeg:', /no ffmpeg input arguments/],
    ['ffmpeg:-f lavfi', /need an '-i <input>'/],
    ["ffmpeg:-i 'unterminated", /unterminated ' quote/],
  ])('rejects %j', (text, why) => {
    expect(() => parseSourceSpec(text)).toThrow(UserError);
    expect(() => parseSourceSpec(text)).toThrow(why);
  });

  it('round-trips through formatSourceSpec and knows which sources are live', () => {
    for (const text of ['window:T', 'dolphin', 'region:1,2,3,4@:9', 'v4l2:/dev/video0', 'file:x.mp4?loop', 'synthetic:3']) {
      expect(formatSourceSpec(parseSourceSpec(text))).toBe(text);
    }
    expect(isLiveSource(parseSourceSpec('file:x.mp4'))).toBe(false);
    expect(isLiveSource(parseSourceSpec('file:x.mp4?loop'))).toBe(true);
    expect(isLiveSource(parseSourceSpec('synthetic'))).toBe(true);
  });

  it('splits ffmpeg args like a shell', () => {
    expect(splitArgs(`a "b c" 'd e' f\\ g ""`)).toEqual(['a', 'b c', 'd e', 'f g', '']);
  });
});

const info: FfmpegInfo = {
  path: '/usr/bin/ffmpeg',
  origin: 'PATH',
  version: 'test',
  devices: { x11grab: true, v4l2: true, gdigrab: false, avfoundation: false, lavfi: true },
  windowId: true,
};

describe('ffmpegInputFor', () => {
  it('maps files, URLs, devices and raw args to input options', async () => {
    const ctx = { fps: 5, info, platform: 'linux' as const };
    expect(await ffmpegInputFor(parseSourceSpec('file:a.mp4'), ctx)).toMatchObject({ inputOptions: [], input: 'a.mp4' });
    expect(await ffmpegInputFor(parseSourceSpec('file:a.mp4?loop'), ctx)).toMatchObject({ inputOptions: ['-re', '-stream_loop', '-1'] });
    expect(await ffmpegInputFor(parseSourceSpec('file:a.mp4'), { ...ctx, realtime: true })).toMatchObject({ inputOptions: ['-re'] });
    expect((await ffmpegInputFor(parseSourceSpec('url:udp://0.0.0.0:5000'), ctx)).inputOptions).toEqual(['-fflags', 'nobuffer', '-flags', 'low_delay']);
    expect(await ffmpegInputFor(parseSourceSpec('v4l2:/dev/video1'), ctx)).toMatchObject({ inputOptions: ['-f', 'v4l2'], input: '/dev/video1' });
    expect(await ffmpegInputFor(parseSourceSpec('ffmpeg:-f lavfi -i testsrc -vframes 3'), ctx)).toMatchObject({
      inputOptions: ['-f', 'lavfi'],
      input: 'testsrc',
      outputOptions: ['-vframes', '3'],
    });
    const synth = await ffmpegInputFor(parseSourceSpec('synthetic:7'), ctx);
    expect(synth).toMatchObject({ input: 'pipe:0', generated: { name: 'synthetic', seed: 7, fps: 5 } });
    expect(synth.inputOptions).toEqual(expect.arrayContaining(['rawvideo', 'rgb24', '640x480']));
  });

  it('maps screen regions per platform', async () => {
    const region = parseSourceSpec('region:10,20,300,200@:5');
    expect(await ffmpegInputFor(region, { fps: 5, info, platform: 'linux' })).toMatchObject({ input: ':5+10,20' });
    const win = await ffmpegInputFor(region, { fps: 5, info, platform: 'win32' });
    expect(win.input).toBe('desktop');
    expect(win.inputOptions).toEqual(expect.arrayContaining(['gdigrab', '-offset_x', '10', '-video_size', '300x200']));
    const mac = await ffmpegInputFor(parseSourceSpec('region:10,20,300,200'), { fps: 5, info, platform: 'darwin' });
    expect(mac).toMatchObject({ input: 'Capture screen 0:none', crop: { x: 10, y: 20, w: 300, h: 200 } });
    await expect(ffmpegInputFor(parseSourceSpec('window:x'), { fps: 5, info, platform: 'darwin' })).rejects.toThrow(/whole screens/);
    const noX11 = { ...info, devices: { ...info.devices, x11grab: false } };
    await expect(ffmpegInputFor(region, { fps: 5, info: noX11, platform: 'linux' })).rejects.toThrow(/no x11grab/);
  });
});

describe('X11 window lookup', () => {
  const tree = `
xwininfo: Window id: 0x2d7 (the root window) (has no name)

  Root window id: 0x2d7 (the root window) (has no name)
  Parent window id: 0x0 (none)
     3 children:
     0x400001 "Dolphin 5.0-21088 | JIT64 DC | OpenGL | HLE | Super Smash Bros. Melee (GALE01)": ("dolphin-emu" "dolphin-emu")  640x528+0+0  +40+60
        1 child:
        0x400002 (has no name): ()  1x1+-1+-1  +39+59
     0x200001 "Dolphin 5.0-21088": ("dolphin-emu" "dolphin-emu")  800x600+10+10  +10+10
`;
  it('reads titles and absolute geometry from xwininfo -tree', () => {
    const windows = parseWindowTree(tree);
    expect(windows).toHaveLength(2);
    expect(windows[0]).toEqual({ id: 0x400001, title: expect.stringContaining('GALE01'), width: 640, height: 528, x: 40, y: 60 });
  });
  it('prefers the window running Melee over other Dolphin windows', () => {
    const windows = parseWindowTree(tree);
    expect(pickDolphin(windows)?.id).toBe(0x400001);
    expect(pickDolphin(windows.slice(1))?.id).toBe(0x200001);
    expect(pickDolphin([{ title: 'Firefox' }])).toBeUndefined();
  });
});

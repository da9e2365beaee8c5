// Test helper: the real OBS Studio (Debian's obs-studio 29, obs-websocket 5.1 built in) on a private
// Xvfb display, with Mesa's software GL and a throwaway HOME holding OBS's own config files: one
// profile (640x480 canvas), one scene collection whose scene shows one media source (ffmpeg_source)
// playing `recording` on loop and one empty text source (a second scene shows the media source only), and obs-websocket enabled on `port` with
// `password`. Writing the config again resets what a previous OBS saved into it.
// obs-websocket 5.1 reads its settings from global.ini's [OBSWebSocket] section (5.3, in OBS 30,
// moved them to plugin_config/obs-websocket/config.json).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stopProcess } from './xvfb.ts';

export const OBS_COLLECTION = 'smashsight-test';
export const OBS_SCENE = 'Game';
/** A second scene (showing the capture too, as a break scene over the game often does): what `--obs-idle-scene` switches to. */
export const OBS_BREAK_SCENE = 'Break';
export const OBS_MEDIA_SOURCE = 'Capture';
/** A Text (FreeType 2) source in the scene, empty at start: what `--obs-text` writes into. */
export const OBS_TEXT_SOURCE = 'Character Text';

export interface ObsSetup {
  home: string;
  recording: string;
  port: number;
  password: string;
}

/** Writes OBS's config under `setup.home` (once; a restarted OBS reuses it). */
export function writeObsConfig(setup: ObsSetup): void {
  const dir = path.join(setup.home, '.config', 'obs-studio');
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write(
    'global.ini',
    [
      '[General]',
      // FirstRun=true means "has run before": no auto-configuration wizard on start.
      'FirstRun=true',
      'LastVersion=486539266',
      'EnableAutoUpdates=false',
      '[Basic]',
      `Profile=${OBS_COLLECTION}`,
      `ProfileDir=${OBS_COLLECTION}`,
      `SceneCollection=${OBS_COLLECTION}`,
      `SceneCollectionFile=${OBS_COLLECTION}`,
      '[OBSWebSocket]',
      'FirstLoad=false',
      'ServerEnabled=true',
      `ServerPort=${setup.port}`,
      'AlertsEnabled=false',
      'AuthRequired=true',
      `ServerPassword=${setup.password}`,
      '',
    ].join('\n'),
  );
  write(
    `basic/profiles/${OBS_COLLECTION}/basic.ini`,
    ['[General]', `Name=${OBS_COLLECTION}`, '[Video]', 'BaseCX=640', 'BaseCY=480', 'OutputCX=640', 'OutputCY=480', 'FPSType=0', 'FPSCommon=30', ''].join('\n'),
  );
  const media = {
    id: 'ffmpeg_source',
    versioned_id: 'ffmpeg_source',
    name: OBS_MEDIA_SOURCE,
    enabled: true,
    flags: 0,
    mixers: 0,
    volume: 1,
    muted: true,
    settings: { is_local_file: true, local_file: setup.recording, looping: true, restart_on_activate: false, hw_decode: false, clear_on_media_end: false },
  };
  const text = {
    id: 'text_ft2_source_v2',
    versioned_id: 'text_ft2_source_v2',
    name: OBS_TEXT_SOURCE,
    enabled: true,
    flags: 0,
    mixers: 0,
    settings: { text: '' },
  };
  const scene = {
    id: 'scene',
    versioned_id: 'scene',
    name: OBS_SCENE,
    enabled: true,
    flags: 0,
    mixers: 0,
    settings: {
      id_counter: 2,
      custom_size: false,
      items: [sceneItem(OBS_MEDIA_SOURCE, 1, 0), sceneItem(OBS_TEXT_SOURCE, 2, 8)],
    },
  };
  const breakScene = { ...scene, name: OBS_BREAK_SCENE, settings: { id_counter: 1, custom_size: false, items: [sceneItem(OBS_MEDIA_SOURCE, 1, 0)] } };
  write(
    `basic/scenes/${OBS_COLLECTION}.json`,
    JSON.stringify({
      name: OBS_COLLECTION,
      current_scene: OBS_SCENE,
      current_program_scene: OBS_SCENE,
      scene_order: [{ name: OBS_SCENE }, { name: OBS_BREAK_SCENE }],
      sources: [media, text, scene, breakScene],
      transitions: [],
      current_transition: 'Cut',
      transition_duration: 0,
    }),
  );
}

/** A scene item at (at, at), unscaled, top-left aligned (align 5 = left|top). */
function sceneItem(name: string, id: number, at: number): Record<string, unknown> {
  return { name, id, visible: true, locked: false, pos: { x: at, y: at }, scale: { x: 1, y: 1 }, rot: 0, align: 5, bounds_type: 0, bounds: { x: 0, y: 0 } };
}

export interface RunningObs {
  proc: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** Starts OBS on `display` (config from writeObsConfig). Resolves once spawned; poll its port for readiness. */
export function startObs(setup: ObsSetup, display: string): RunningObs {
  const env = {
    ...process.env,
    HOME: setup.home,
    XDG_CONFIG_HOME: path.join(setup.home, '.config'),
    DISPLAY: display,
    LIBGL_ALWAYS_SOFTWARE: '1',
    // No sound server in a test machine: OBS's PulseAudio monitoring would only log failures.
    PULSE_SERVER: 'unix:/nonexistent',
    QT_QPA_PLATFORM: 'xcb',
  };
  const args = ['--minimize-to-tray', '--disable-updater', '--disable-missing-files-check', '--multi', '--collection', OBS_COLLECTION, '--scene', OBS_SCENE];
  const proc = spawn('obs', args, { env, cwd: setup.home, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + String(d)).slice(-20_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return { proc, log: () => out, stop: () => stopProcess(proc, true) };
}

import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addServeOptions, resolveServeConfig, type ServeFlags } from '../server/options.ts';
import type { ServeConfig } from '../server/serve.ts';
import { tempDir } from './helpers/server.ts';

function resolve(args: string[], config?: unknown): ServeConfig {
  const cmd = addServeOptions(new Command('serve').exitOverride());
  if (config !== undefined) {
    const file = path.join(tempDir(), 'smashsight.json');
    fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
    args = [...args, '--config', file];
  }
  cmd.parse(args, { from: 'user' });
  return resolveServeConfig(cmd.opts<ServeFlags>(), cmd);
}

describe('serve options', () => {
  it('takes flags, with the documented defaults', () => {
    const c = resolve(['--model', 'm', '--source', 'synthetic', '--region', 'p1=1,2,3,4', '--region', 'p2=5,6,7,8', '--fps', '12']);
    expect(c).toMatchObject({ model: 'm', source: 'synthetic', fps: 12, host: '127.0.0.1', port: 8080, engine: 'onnx', device: 'auto' });
    expect(c.smoothing).toEqual({ ema: 0.3, margin: 0.15, holdMs: 300, floor: 0.5 });
    expect(c.regions.map((r) => r.name)).toEqual(['p1', 'p2']);
  });

  it('reads a config file; flags given on the command line win', () => {
    const file = { model: 'from-file', source: 'synthetic:2', port: 9000, ema: 0.5, regions: [{ name: 'p1', x: 0, y: 0, w: 10, h: 10 }, 'p2=1,1,5,5'] };
    const c = resolve(['--port', '9100'], file);
    expect(c).toMatchObject({ model: 'from-file', source: 'synthetic:2', port: 9100 });
    expect(c.smoothing.ema).toBe(0.5);
    expect(c.regions.map((r) => r.name)).toEqual(['p1', 'p2']);
    expect(resolve(['--region', 'p3=0,0,2,2'], file).regions.map((r) => r.name)).toEqual(['p3']);
  });

  it('names the field and the problem', () => {
    expect(() => resolve(['--source', 'synthetic'])).toThrow(/--model: required/);
    expect(() => resolve(['--model', 'm', '--source', 's', '--ema', '0'])).toThrow(/--ema must be in/);
    expect(() => resolve(['--model', 'm', '--source', 's', '--port', 'x'])).toThrow(/--port: must be a port number/);
    expect(() => resolve(['--model', 'm', '--source', 's', '--region', 'p1=1,2'])).toThrow(/expected name=x,y,w,h/);
    expect(() => resolve(['--model', 'm', '--source', 's', '--host', '0.0.0.0'])).toThrow(/--token/);
    expect(() => resolve([], { model: 'm', source: 's', prot: 1 })).toThrow(/smashsight.json: unknown key "prot"/);
    expect(() => resolve([], { model: 'm', source: 's', fps: 'fast' })).toThrow(/smashsight.json: "fps": must be a number > 0/);
    expect(() => resolve([], '{nope')).toThrow(/not valid JSON/);
  });
});

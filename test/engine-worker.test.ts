// ONNX Runtime in a worker thread: the same outputs as on the main thread, in the order asked,
// the main thread free while it computes, and a failed run costs that run only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { backboneLayers, randomWeights } from '../engine/backbones.ts';
import type { Engine } from '../engine/engine.ts';
import { openOnnxEngine, openWorkerEngine } from '../engine/engine-onnx.ts';
import { exportOnnx } from '../engine/onnx-export.ts';

const { onnx } = onnxProto;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-worker-'));
const open: Engine[] = [];
afterAll(async () => {
  await Promise.all(open.map((e) => e.dispose()));
});

function modelFile(name: string, size: number, backbone: 'tiny' | 'vgg16'): string {
  const layers = backboneLayers(backbone);
  const file = path.join(dir, name);
  fs.writeFileSync(file, exportOnnx({ height: size, width: size, layers, weights: randomWeights(layers, [size, size, 3], 3) }));
  return file;
}

/** frames → Cast → Reshape to [1, H*W*3]: runs for one frame, fails in ONNX Runtime for two. */
function batchOfOneFile(size: number): string {
  const n = size * size * 3;
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'one',
      node: [
        { opType: 'Cast', input: ['frames'], output: ['f'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
        { opType: 'Reshape', input: ['f', 'shape'], output: ['output'] },
      ],
      initializer: [{ name: 'shape', dims: [2], dataType: 7, rawData: new Uint8Array(BigInt64Array.from([1n, BigInt(n)]).buffer) }],
      input: [
        { name: 'frames', type: { tensorType: { elemType: 2, shape: { dim: [{ dimParam: 'N' }, { dimValue: size }, { dimValue: size }, { dimValue: 3 }] } } } },
      ],
      output: [{ name: 'output', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: n }] } } } }],
    },
  });
  const file = path.join(dir, 'one.onnx');
  fs.writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

const frame = (size: number, k: number): Uint8Array => new Uint8Array(size * size * 3).map((_, i) => (i * (k + 3) + k) & 255);

async function engines(file: string, size: number): Promise<{ main: Engine; worker: Engine }> {
  const options = { height: size, width: size, device: 'cpu' as const, threads: 1 };
  const main = await openOnnxEngine(file, options);
  const worker = await openWorkerEngine({ file, options });
  open.push(main, worker);
  return { main, worker };
}

describe('the worker engine', () => {
  it('gives what the main-thread engine gives, for runs in flight together, each to its own caller', async () => {
    const size = 32;
    const { main, worker } = await engines(modelFile('tiny.onnx', size, 'tiny'), size);
    expect(worker.outputSize).toBe(main.outputSize);
    expect(worker.provider).toContain('worker thread');
    const frames = [0, 1, 2, 3, 4].map((k) => frame(size, k));
    const fromWorker = await Promise.all(frames.map((f) => worker.run(f, 1)));
    for (const [k, f] of frames.entries()) expect(Array.from(fromWorker[k]!)).toEqual(Array.from(await main.run(f, 1)));
    expect(Array.from(fromWorker[0]!)).not.toEqual(Array.from(fromWorker[1]!));
  });

  it('leaves the main thread free while it computes (a 5 ms timer keeps firing)', async () => {
    const size = 96;
    const { main, worker } = await engines(modelFile('vgg.onnx', size, 'vgg16'), size);
    const ticksDuring = async (e: Engine): Promise<number> => {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      await e.run(frame(size, 1), 1);
      await e.run(frame(size, 2), 1);
      clearInterval(timer);
      return ticks;
    };
    await worker.run(frame(size, 0), 1); // warm-up
    await main.run(frame(size, 0), 1);
    const onMain = await ticksDuring(main);
    const inWorker = await ticksDuring(worker);
    expect(onMain).toBeLessThanOrEqual(2); // the binding computes on the calling thread
    expect(inWorker).toBeGreaterThan(onMain + 2);
  });

  it('rejects a run that fails in ONNX Runtime and answers the next one', async () => {
    const size = 8;
    const { worker } = await engines(batchOfOneFile(size), size);
    const two = new Uint8Array(2 * size * size * 3);
    await expect(worker.run(two, 2)).rejects.toThrow(/inference failed/);
    const out = await worker.run(frame(size, 5), 1);
    expect(out.length).toBe(size * size * 3);
    expect(out[1]).toBe(frame(size, 5)[1]);
  });

  it('names the file when the worker cannot open the model', async () => {
    const bad = path.join(dir, 'bad.onnx');
    fs.writeFileSync(bad, 'not a model');
    await expect(openWorkerEngine({ file: bad, options: { height: 8, width: 8, device: 'cpu', threads: 1 } })).rejects.toThrow(bad);
  });
});

describe('--device webgpu', () => {
  it('is refused in one line saying why where the machine shows no GPU, and runs where it does', async () => {
    const file = modelFile('tiny-webgpu.onnx', 16, 'tiny');
    const hasGpu = fs.existsSync('/dev/nvidia0') || (fs.existsSync('/dev/dri') && fs.readdirSync('/dev/dri').some((n) => n.startsWith('renderD')));
    const opening = openOnnxEngine(file, { height: 16, width: 16, device: 'webgpu', threads: 1 });
    if (hasGpu) {
      const e = await opening;
      open.push(e);
      expect(e.provider).toBe('webgpu');
      expect((await e.run(frame(16, 1), 1)).length).toBe(e.outputSize);
    } else {
      await expect(opening).rejects.toThrow(/^--device webgpu: not available here \(webgpu: no GPU device on this machine/);
    }
  });
});

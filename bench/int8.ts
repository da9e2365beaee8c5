// int8 against fp32 on ONNX Runtime, same graph, same threads, alternating rounds in one run (so
// load on the machine hits both alike): the backbone's float graph, then its QDQ graph calibrated on
// a few varied frames. The ratio is the figure; absolute images/s depend on the machine.
import fs from 'node:fs/promises';
import path from 'node:path';
import { calibrateRanges, type CalibrationBatch } from '../engine/calibrate.ts';
import { openOnnxEngine } from '../engine/engine-onnx.ts';
import { decodeModel, quantizeModel } from '../engine/quantize.ts';
import { describeCpu, hasVnni } from '../kit/cpu.ts';
import { runPeer, torchPython } from './torch-peer.ts';
import { timeEngine } from './train.ts';

export interface Int8Round {
  fp32: number;
  int8: number;
  /** The PyTorch peer in the same round (VGG16 only), when python3-torch is installed. */
  pytorch?: PeerFigures;
}

interface PeerFigures {
  engine: string;
  fp32: number;
  int8?: number;
  int8_engine?: string;
  int8_error?: string;
}

/** Patterned frames (speed does not depend on what they show; calibration needs varied values). */
async function* frames(width: number, height: number, n: number): AsyncGenerator<CalibrationBatch> {
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(width * height * 3);
    for (let j = 0; j < data.length; j++) data[j] = ((j % (width * 3)) * (i + 3) + Math.floor(j / (width * 3)) * 7) & 255;
    yield { data, n: 1 };
  }
}

export async function runInt8Bench(
  fp32File: string,
  size: { width: number; height: number },
  o: { threads: number; rounds: number; warmup: number; runs: number; vgg16Peer: boolean },
  say: (line: string) => void,
): Promise<Int8Round[]> {
  say(`\nint8 vs fp32 (ONNX Runtime, ${o.threads} threads, batch 1): ${path.basename(fp32File)} at ${size.width}x${size.height}, alternating rounds`);
  say(`cpu flags: ${describeCpu()}${hasVnni() ? '' : ' (no VNNI: int8 runs on AVX2 kernels here)'}`);
  const model = decodeModel(await fs.readFile(fp32File));
  const ranges = await calibrateRanges(model, size, frames(size.width, size.height, 4), o.threads);
  const int8File = fp32File.replace(/\.onnx$/, '.int8.onnx');
  await fs.writeFile(int8File, quantizeModel(model, ranges, 'bench'));
  const engines = {
    fp32: await openOnnxEngine(fp32File, { ...size, device: 'cpu', threads: o.threads }),
    int8: await openOnnxEngine(int8File, { ...size, device: 'cpu', threads: o.threads }),
  };
  const py = o.vgg16Peer ? await torchPython() : null;
  if (o.vgg16Peer && !py) say('pytorch: not installed (apt-get install python3-torch): no peer figure');
  const peerArgs = [
    '--height',
    String(size.height),
    '--width',
    String(size.width),
    '--threads',
    String(o.threads),
    '--warmup',
    String(o.warmup),
    '--runs',
    String(o.runs),
  ];
  const rounds: Int8Round[] = [];
  try {
    for (let r = 0; r < o.rounds; r++) {
      const fp32 = await timeEngine(engines.fp32, o.warmup, o.runs);
      const int8 = await timeEngine(engines.int8, o.warmup, o.runs);
      const pytorch = py ? await runPeer<PeerFigures>(py, 'features_peer.py', peerArgs) : undefined;
      rounds.push({ fp32, int8, pytorch });
      say(`round ${r + 1}: fp32 ${fp32.toFixed(2)} images/s, int8 ${int8.toFixed(2)} images/s, int8/fp32 ${(int8 / fp32).toFixed(2)}x`);
      if (pytorch) say(`         ${pytorch.engine}: ${peerLine(pytorch)}; onnxruntime int8 / pytorch fp32 ${(int8 / pytorch.fp32).toFixed(2)}x`);
    }
  } finally {
    await engines.fp32.dispose();
    await engines.int8.dispose();
    await fs.rm(int8File, { force: true });
  }
  const ratios = rounds.map((x) => x.int8 / x.fp32).sort((a, b) => a - b);
  say(`median int8/fp32: ${ratios[ratios.length >> 1]!.toFixed(2)}x (target on AVX-512 VNNI: >= 2.0x for VGG16 224)`);
  return rounds;
}

function peerLine(p: PeerFigures): string {
  const q = p.int8 ? `int8 (${p.int8_engine}) ${p.int8.toFixed(2)} images/s` : `int8 not run (${p.int8_error ?? 'no quantized engine'})`;
  return `fp32 ${p.fp32.toFixed(2)} images/s, ${q}`;
}

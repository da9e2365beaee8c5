// Activation ranges for int8: the fp32 graph run on sample frames with the tensors that will be
// quantized exposed as outputs; each tensor's range is its min and max over all samples (ONNX
// Runtime's default MinMax calibration).
import * as ort from 'onnxruntime-node';
import { quantizedTensors, withTensorOutputs, type TensorRange } from './quantize.ts';
import type onnxProto from 'onnx-proto';

export interface CalibrationBatch {
  /** n frames, rgb24 HWC at the model's size. */
  data: Uint8Array;
  n: number;
}

export async function calibrateRanges(
  model: onnxProto.onnx.IModelProto,
  size: { height: number; width: number },
  batches: AsyncIterable<CalibrationBatch>,
  threads: number,
): Promise<Map<string, TensorRange>> {
  const names = quantizedTensors(model);
  const session = await ort.InferenceSession.create(withTensorOutputs(model, names), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'basic', // no fusion that would hide a tensor we asked for
  });
  const ranges = new Map<string, TensorRange>(names.map((n) => [n, { min: Infinity, max: -Infinity }]));
  try {
    for await (const b of batches) {
      const result = await session.run({ frames: new ort.Tensor('uint8', b.data, [b.n, size.height, size.width, 3]) }, names);
      for (const name of names) {
        const t = result[name]!;
        const data = t.data as Float32Array;
        const r = ranges.get(name)!;
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          if (v < r.min) r.min = v;
          if (v > r.max) r.max = v;
        }
        t.dispose();
      }
    }
  } finally {
    await session.release();
  }
  for (const [name, r] of ranges) if (!Number.isFinite(r.min)) throw new Error(`calibration: no values seen for ${name} (no frames?)`);
  return ranges;
}

// tfjs-wasm ships no Conv2DBackpropFilter kernel, so fine-tuning conv layers would need the
// plain-JS cpu backend for the whole network (~30x slower). This registers the one missing
// kernel for wasm, in JS over the wasm heap; every other op stays in wasm SIMD.
import type * as TF from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Tfjs } from './tfjs.ts';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function registerWasmConvFilterGrad(tf: Tfjs): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TF.TensorInfo; dy: TF.TensorInfo };
      const a = attrs as unknown as Attrs;
      const b = backend as BackendWasm;
      if (a.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter (wasm): only NHWC');
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
        false,
        'channelsLast',
      );
      const {
        batchSize: N,
        inHeight: H,
        inWidth: W,
        inChannels: Ci,
        outHeight: OH,
        outWidth: OW,
        outChannels: Co,
        filterHeight: KH,
        filterWidth: KW,
        strideHeight: SH,
        strideWidth: SW,
      } = info;
      const out = b.makeOutput([KH, KW, Ci, Co], 'float32');
      // Views only after makeOutput: allocating may grow (and detach) the wasm heap.
      const xs = b.typedArrayFromHeap(x) as Float32Array;
      const ds = b.typedArrayFromHeap(dy) as Float32Array;
      const dw = b.typedArrayFromHeap(out) as Float32Array;
      dw.fill(0);
      const { top, left } = info.padInfo;
      for (let n = 0; n < N; n++)
        for (let oh = 0; oh < OH; oh++)
          for (let ow = 0; ow < OW; ow++) {
            const dOff = ((n * OH + oh) * OW + ow) * Co;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * SH + kh - top;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * SW + kw - left;
                if (iw < 0 || iw >= W) continue;
                const xOff = ((n * H + ih) * W + iw) * Ci;
                const wOff = (kh * KW + kw) * Ci * Co;
                for (let ci = 0; ci < Ci; ci++) {
                  const xv = xs[xOff + ci]!;
                  if (xv === 0) continue; // post-relu inputs are mostly zero
                  const base = wOff + ci * Co;
                  for (let co = 0; co < Co; co++) dw[base + co]! += xv * ds[dOff + co]!;
                }
              }
            }
          }
      return out;
    },
  });
  return true;
}

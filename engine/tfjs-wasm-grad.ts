// Fast conv gradients for tfjs-wasm, computed by the backend's own XNNPACK Conv2D (threaded, SIMD)
// instead of loops in JS / naive C++:
//  - Conv2DBackpropFilter (wasm ships none): dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n,oh*s+kh-pt,ow*s+kw-pl,ci] dy[n,oh,ow,co]
//    is a stride-1 conv of x^T [Ci,H,W,N] (batch<->channels swapped) with dy^T [OH,OW,N,Co] as the filter,
//    dilated by the forward stride; output [Ci,KH,KW,Co] -> transposed to [KH,KW,Ci,Co].
//  - Conv2DBackpropInput (wasm's is a naive single-threaded loop): a stride-1 conv of dy (zero-dilated by the
//    stride, if any) with the spatially flipped, in/out-swapped filter.
// Also replaces the FusedBatchNorm gradient with one that broadcasts instead of tiling a [N,H,W,C] tensor.
import type * as TF from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { Tfjs } from './tfjs.ts';

type Info = TF.TensorInfo;
type Attrs = Record<string, unknown>;
type KFunc = (a: { inputs: Record<string, Info>; backend: BackendWasm; attrs: Attrs }) => Info;
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

type Conv2DInfo = ReturnType<Tfjs['backend_util']['computeConv2DInfo']>;

/** The forward convolution's geometry (channels last), as both gradient kernels need it. */
function convInfo(tf: Tfjs, inputShape: number[], filterShape: number[], a: ConvGradAttrs): Conv2DInfo {
  type Shape4 = [number, number, number, number];
  return tf.backend_util.computeConv2DInfo(
    inputShape as Shape4,
    filterShape as Shape4,
    a.strides,
    1,
    a.pad as 'same',
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** Short names for the sizes the kernels loop over. */
function dims(i: Conv2DInfo) {
  return {
    N: i.batchSize,
    H: i.inHeight,
    W: i.inWidth,
    Ci: i.inChannels,
    OH: i.outHeight,
    OW: i.outWidth,
    Co: i.outChannels,
    KH: i.filterHeight,
    KW: i.filterWidth,
    SH: i.strideHeight,
    SW: i.strideWidth,
  };
}

/** A stride-1 NHWC conv on the wasm backend with explicit [top, bottom, left, right] pads: both gradients are one. */
function paddedConv(conv2d: KFunc, b: BackendWasm, x: Info, filter: Info, pads: [number, number, number, number], dilations: [number, number]): Info {
  const [top, bottom, left, right] = pads;
  return conv2d({
    inputs: { x, filter },
    backend: b,
    attrs: {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations,
    },
  });
}

function registerWasmConvGrads(tf: Tfjs): void {
  const k = (name: string): KFunc => {
    const cfg = tf.getKernel(name, 'wasm');
    if (!cfg) throw new Error(`tfjs-wasm has no ${name} kernel`);
    return cfg.kernelFunc as unknown as KFunc;
  };
  const conv2d = k('Conv2D');
  const transpose = k('Transpose');
  const slice = k('Slice');

  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as BackendWasm;
      const { x, dy } = inputs as { x: Info; dy: Info };
      const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
      if (a.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter (wasm): only NHWC');
      const info = convInfo(tf, x.shape, a.filterShape, a);
      const { N, H, W, Ci, OH, OW, Co, KH, KW, SH, SW } = dims(info);
      const { top, left } = info.padInfo;
      const temps: Info[] = [];
      try {
        // Bottom/right padding that makes the dilated dy "filter" yield exactly KH x KW outputs;
        // negative where the forward conv never read the last rows/cols: crop them instead.
        let bottom = (OH - 1) * SH + KH - H - top;
        let right = (OW - 1) * SW + KW - W - left;
        let xin = x;
        if (bottom < 0 || right < 0) {
          xin = slice({ inputs: { x }, backend: b, attrs: { begin: [0, 0, 0, 0], size: [N, H + Math.min(bottom, 0), W + Math.min(right, 0), Ci] } });
          temps.push(xin);
          bottom = Math.max(bottom, 0);
          right = Math.max(right, 0);
        }
        const xT = transpose({ inputs: { x: xin }, backend: b, attrs: { perm: [3, 1, 2, 0] } }); // [Ci,H',W',N]
        temps.push(xT);
        const dyT = transpose({ inputs: { x: dy }, backend: b, attrs: { perm: [1, 2, 0, 3] } }); // [OH,OW,N,Co]
        temps.push(dyT);
        const g = paddedConv(conv2d, b, xT, dyT, [top, bottom, left, right], [SH, SW]); // [Ci,KH,KW,Co]
        temps.push(g);
        if (g.shape[1] !== KH || g.shape[2] !== KW) throw new Error(`Conv2DBackpropFilter (wasm): got ${g.shape}, want ${[Ci, KH, KW, Co]}`);
        return transpose({ inputs: { x: g }, backend: b, attrs: { perm: [1, 2, 0, 3] } }); // [KH,KW,Ci,Co]
      } finally {
        for (const t of temps) b.disposeData(t.dataId);
      }
    },
  });

  const origInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (origInput && !(origInput as { fast?: boolean }).fast) {
    const orig = origInput.kernelFunc as unknown as KFunc;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      fast: true,
      kernelFunc: (args) => {
        const { inputs, backend, attrs } = args;
        const b = backend as BackendWasm;
        const { dy, filter } = inputs as { dy: Info; filter: Info };
        const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
        const info = convInfo(tf, a.inputShape, filter.shape, a);
        const { H, W, Ci, OH, OW, Co, KH, KW, SH, SW } = dims(info);
        // dy dilated by the stride (zeros between rows/cols; JS scatter when stride > 1), then a stride-1 conv.
        const DH = (OH - 1) * SH + 1,
          DW = (OW - 1) * SW + 1;
        const top = KH - 1 - info.padInfo.top;
        const left = KW - 1 - info.padInfo.left;
        const bottom = H - DH - top + KH - 1;
        const right = W - DW - left + KW - 1;
        if (a.dataFormat !== 'NHWC' || top < 0 || left < 0 || bottom < 0 || right < 0) return orig(args as never);
        const N = dy.shape[0]!;
        let dyD = dy;
        // Flipped filter [KH,KW,Co,Ci]: tiny, so in JS.
        const wf = b.makeOutput([KH, KW, Co, Ci], 'float32');
        try {
          if (SH > 1 || SW > 1) {
            dyD = b.makeOutput([N, DH, DW, Co], 'float32');
            const src = b.typedArrayFromHeap(dy) as Float32Array;
            const dst = b.typedArrayFromHeap(dyD) as Float32Array;
            dst.fill(0);
            for (let n = 0; n < N; n++)
              for (let oh = 0; oh < OH; oh++)
                for (let ow = 0; ow < OW; ow++) {
                  const s0 = ((n * OH + oh) * OW + ow) * Co;
                  dst.set(src.subarray(s0, s0 + Co), ((n * DH + oh * SH) * DW + ow * SW) * Co);
                }
          }
          const src = b.typedArrayFromHeap(filter) as Float32Array;
          const dst = b.typedArrayFromHeap(wf) as Float32Array;
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const s0 = (kh * KW + kw) * Ci * Co;
              const d0 = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * Co * Ci;
              for (let ci = 0; ci < Ci; ci++) for (let co = 0; co < Co; co++) dst[d0 + co * Ci + ci] = src[s0 + ci * Co + co]!;
            }
          return paddedConv(conv2d, b, dyD, wf, [top, bottom, left, right], [1, 1]);
        } finally {
          b.disposeData(wf.dataId);
          if (dyD !== dy) b.disposeData(dyD.dataId);
        }
      },
    } as TF.KernelConfig);
  }
  registerWasmTrainingSpeedups(tf);
}

/** Registers the fast gradient kernels tfjs-wasm lacks or runs slowly; training on wasm needs them. */
export function registerWasmTrainingKernels(tf: Tfjs): void {
  registerWasmConvGrads(tf);
}

const speedups = new WeakSet<object>();

/**
 * Other slow spots in wasm training, each a drop-in with identical results:
 *  - Identity copied the tensor (Cast float32->float32 is Identity, e.g. in every Relu gradient): share data like Reshape.
 *  - Sum/Mean over the leading axes ([N,H,W,C] -> [C], batch-norm statistics and their gradients) transposed the whole
 *    tensor first: one JS pass with float64 column sums instead.
 *  - MaxPoolGrad (naive C++) for non-overlapping unpadded windows: a JS loop (first max wins, as in the original).
 *  - FusedBatchNorm gradient: broadcasts [C] vectors instead of Tile-ing one to [N,H,W,C] (wasm Tile is ~5 s there),
 *    and computes the two per-channel sums once.
 */
function registerWasmTrainingSpeedups(tf: Tfjs): void {
  if (speedups.has(tf.engine())) return;
  speedups.add(tf.engine());
  const get = (name: string): KFunc => tf.getKernel(name, 'wasm')!.kernelFunc as unknown as KFunc;
  const replace = (name: string, f: (orig: KFunc) => KFunc): void => {
    const orig = get(name);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: f(orig) as never });
  };
  replace('Identity', (orig) => (args) => {
    const { x } = args.inputs;
    if (x!.dtype === 'string') return orig(args);
    args.backend.incRef(x!.dataId);
    return { dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype };
  });

  replace('Cast', (orig) => (args) => {
    const { x } = args.inputs;
    if (x!.dtype !== args.attrs.dtype || x!.dtype === 'string') return orig(args);
    args.backend.incRef(x!.dataId);
    return { dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype };
  });

  // Column sums of x viewed as [R, C], one pass in JS with float64 accumulators. (A ones[1,R] x X[R,C]
  // BatchMatMul is slower here: XNNPACK packs X as weights on every call since X is always new.)
  const leadingReduce =
    (orig: KFunc, mean: boolean): KFunc =>
    (args) => {
      const {
        inputs: { x },
        backend: b,
        attrs,
      } = args;
      const rank = x!.shape.length;
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x!.shape).sort((p, q) => p - q);
      const lead = axes.every((a, i) => a === i) && axes.length < rank && axes.length > 0;
      if (!lead || x!.dtype !== 'float32') return orig(args);
      const R = x!.shape.slice(0, axes.length).reduce((p, q) => p * q, 1);
      const C = x!.shape.slice(axes.length).reduce((p, q) => p * q, 1);
      if (R < 64) return orig(args);
      const out = b.makeOutput([C], 'float32');
      const v = b.typedArrayFromHeap(x!) as Float32Array;
      const acc = new Float64Array(C);
      for (let r = 0; r < v.length; r += C) for (let c = 0; c < C; c++) acc[c]! += v[r + c]!;
      const o = b.typedArrayFromHeap(out) as Float32Array;
      for (let c = 0; c < C; c++) o[c] = mean ? acc[c]! / R : acc[c]!;
      const rest = x!.shape.slice(axes.length);
      out.shape = attrs.keepDims ? [...axes.map(() => 1), ...rest] : rest;
      return out;
    };
  replace('Sum', (orig) => leadingReduce(orig, false));
  replace('Mean', (orig) => leadingReduce(orig, true));

  replace('MaxPoolGrad', (orig) => (args) => {
    const {
      inputs: { dy, input },
      backend: b,
      attrs,
    } = args;
    const info = tf.backend_util.computePool2DInfo(
      input!.shape as [number, number, number, number],
      attrs.filterSize as number,
      attrs.strides as number,
      1,
      attrs.pad as 'valid',
      attrs.dimRoundingMode as 'floor',
    );
    const {
      batchSize: N,
      inHeight: H,
      inWidth: W,
      inChannels: C,
      outHeight: OH,
      outWidth: OW,
      strideHeight: SH,
      strideWidth: SW,
      filterHeight: FH,
      filterWidth: FW,
    } = info;
    if (FH !== SH || FW !== SW || info.padInfo.top !== 0 || info.padInfo.left !== 0 || input!.dtype !== 'float32') return orig(args);
    const dx = b.makeOutput(input!.shape, 'float32');
    const xs = b.typedArrayFromHeap(input!) as Float32Array;
    const ds = b.typedArrayFromHeap(dy!) as Float32Array;
    const out = b.typedArrayFromHeap(dx) as Float32Array;
    out.fill(0);
    if (FH === 2 && FW === 2) {
      const rowC = W * C;
      for (let n = 0; n < N; n++)
        for (let oh = 0; oh < OH; oh++) {
          let d = (n * OH + oh) * OW * C;
          for (let ow = 0; ow < OW; ow++) {
            const x0 = ((n * H + oh * 2) * W + ow * 2) * C;
            for (let c = 0; c < C; c++, d++) {
              const i0 = x0 + c,
                i1 = i0 + C,
                i2 = i0 + rowC,
                i3 = i2 + C;
              let best = i0,
                bv = xs[i0]!,
                v = xs[i1]!;
              if (v > bv) {
                bv = v;
                best = i1;
              }
              v = xs[i2]!;
              if (v > bv) {
                bv = v;
                best = i2;
              }
              v = xs[i3]!;
              if (v > bv) best = i3;
              out[best] = ds[d]!;
            }
          }
        }
      return dx;
    }
    for (let n = 0; n < N; n++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const d0 = ((n * OH + oh) * OW + ow) * C;
          const x0 = ((n * H + oh * SH) * W + ow * SW) * C;
          for (let c = 0; c < C; c++) {
            let best = x0 + c;
            let bv = xs[best]!;
            for (let fh = 0; fh < FH; fh++)
              for (let fw = 0; fw < FW; fw++) {
                const i = x0 + (fh * W + fw) * C + c;
                if (xs[i]! > bv) {
                  bv = xs[i]!;
                  best = i;
                }
              }
            out[best] = ds[d0 + c]!;
          }
        }
    return dx;
  });

  // Tile that repeats the whole input (size-1 leading dims, e.g. broadcastTo [1,1,1,C] -> [N,H,W,C]):
  // memcpy-doubling instead of wasm's per-element index arithmetic.
  replace('Tile', (orig) => (args) => {
    const {
      inputs: { x },
      backend: b,
      attrs,
    } = args;
    const reps = attrs.reps as number[];
    const shape = x!.shape;
    let k = 0;
    while (k < shape.length && shape[k] === 1) k++;
    if (!reps.slice(k).every((r) => r === 1) || !['float32', 'int32'].includes(x!.dtype)) return orig(args);
    const out = b.makeOutput(
      shape.map((d, i) => d * reps[i]!),
      x!.dtype,
    );
    const src = b.typedArrayFromHeap(x!) as Float32Array;
    const dst = b.typedArrayFromHeap(out) as Float32Array;
    if (src.length === 0) return out;
    dst.set(src, 0);
    for (let n = src.length; n < dst.length; n *= 2) dst.copyWithin(n, 0, Math.min(n, dst.length - n));
    return out;
  });

  // Sum/Mean gradients: broadcast dy (Tile above) instead of ones(x.shape) * dy (/ R), two full-size passes fewer.
  const reduceGrad = (kernelName: 'Sum' | 'Mean') =>
    tf.registerGradient({
      kernelName,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const [x] = saved as TF.Tensor[];
        const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x!.shape);
        const expanded = x!.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const R = axes.reduce((p, a) => p * x!.shape[a]!, 1);
        return {
          x: () => {
            const e = tf.reshape(dy as TF.Tensor, expanded);
            return tf.broadcastTo(kernelName === 'Mean' ? tf.div(e, tf.scalar(R)) : tf.cast(e, 'float32'), x!.shape);
          },
        };
      },
    });
  reduceGrad('Sum');
  reduceGrad('Mean');

  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
      const [x, mean, variance, scale] = saved as TF.Tensor[];
      const d = dy as TF.Tensor;
      const axes = tf.backend_util.getReductionAxes(mean!.shape, x!.shape);
      const red = (t: TF.Tensor): TF.Tensor => (axes.length ? tf.reshape(tf.sum(t, axes), mean!.shape) : t);
      const inv = tf.rsqrt(tf.add(variance!, tf.scalar(varianceEpsilon)));
      const sc = scale ?? tf.scalar(1);
      const invSc = tf.mul(inv, sc);
      const sumDy = red(d);
      const sumDyXm = red(tf.mul(d, tf.sub(x!, mean!)));
      return {
        x: () => tf.mul(d, invSc),
        mean: () => tf.neg(tf.mul(sumDy, invSc)),
        variance: () => tf.mul(sumDyXm, tf.mul(tf.mul(invSc, tf.square(inv)), tf.scalar(-0.5))),
        scale: () => tf.mul(sumDyXm, inv),
        offset: () => sumDy,
      };
    },
  });
}

// 8-bit integer inference: the fp32 graph rewritten in ONNX's QDQ form (QuantizeLinear →
// DequantizeLinear pairs), which ONNX Runtime fuses into integer kernels (QLinearConv,
// QLinearMatMul, int8 MaxPool). Weights: int8 (7-bit, see WEIGHT_MAX), symmetric, one scale per output channel. Activations:
// uint8, asymmetric, ranges calibrated on real frames (calibrate.ts). Preprocessing stays in the
// graph, in float, exactly as in model.onnx; only the tensors entering the heavy ops change.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type IModel = onnxProto.onnx.IModelProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
const T = onnx.TensorProto.DataType;

export interface TensorRange {
  min: number;
  max: number;
}

/** Ops whose first input is quantized (and, for MaxPool, whose output is too: it runs in uint8). */
const QUANTIZED_INPUT = new Set(['Conv', 'Gemm', 'MaxPool', 'GlobalAveragePool']);

export function decodeModel(bytes: Uint8Array): IModel {
  return onnx.ModelProto.decode(bytes);
}

/** The activation tensors the int8 graph quantizes: what calibration must measure. */
export function quantizedTensors(model: IModel): string[] {
  const out = new Set<string>();
  for (const n of model.graph?.node ?? []) {
    if (!QUANTIZED_INPUT.has(n.opType ?? '')) continue;
    out.add(n.input![0]!);
    if (n.opType === 'MaxPool') out.add(n.output![0]!);
  }
  return [...out];
}

/** The fp32 graph with every quantized tensor also exposed as an output (for calibration). */
export function withTensorOutputs(model: IModel, names: string[]): Uint8Array {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  for (const name of names) copy.graph!.output!.push({ name, type: { tensorType: { elemType: T.FLOAT } } });
  return onnx.ModelProto.encode(copy).finish();
}

/** uint8 scale and zero point covering [min, max] and 0 (ReLU outputs map 0 exactly). */
export function activationParams(r: TensorRange): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * Weights use 7 of the 8 bits (±63): x86 CPUs without VNNI multiply uint8 × int8 pairs into a
 * saturating int16 (VPMADDUBSW), and 255·127·2 overflows it while 255·63·2 does not. Measured on
 * an AVX2 machine: full-range weights moved a test model's probabilities by up to 0.3 against the
 * float graph, 7-bit weights by under 0.05. One file then runs right on every CPU.
 */
const WEIGHT_MAX = 63;

/** Symmetric int8 per channel along `axis` of a 2-D [rows, cols] view (axis 0: rows, 1: cols). */
function quantizeWeights(data: Float32Array, rows: number, cols: number, axis: 0 | 1): { q: Int8Array; scales: Float32Array } {
  const channels = axis === 0 ? rows : cols;
  const scales = new Float32Array(channels);
  const at = (r: number, c: number): number => data[r * cols + c]!;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const ch = axis === 0 ? r : c;
      scales[ch] = Math.max(scales[ch]!, Math.abs(at(r, c)));
    }
  for (let ch = 0; ch < channels; ch++) scales[ch] = scales[ch]! > 0 ? scales[ch]! / WEIGHT_MAX : 1;
  const q = new Int8Array(data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const s = scales[axis === 0 ? r : c]!;
      q[r * cols + c] = Math.max(-WEIGHT_MAX, Math.min(WEIGHT_MAX, Math.round(at(r, c) / s)));
    }
  return { q, scales };
}

function floats(t: ITensor): Float32Array {
  const raw = t.rawData!;
  const copy = new Uint8Array(raw); // rawData may not be 4-byte aligned
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

function tensor(name: string, dims: number[], dataType: number, data: ArrayBufferView): ITensor {
  return { name, dims, dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * The QDQ graph for calibrated `ranges` (one per name of quantizedTensors). Throws when a range is
 * missing or a weight is not an initializer this exporter writes.
 */
export function quantizeModel(model: IModel, ranges: Map<string, TensorRange>, doc: string): Uint8Array {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const g = copy.graph!;
  const inits = new Map<string, ITensor>(g.initializer!.map((t) => [t.name!, t]));
  const drop = new Set<string>();
  const newInits: ITensor[] = [];
  const params = new Map<string, { scale: number; zeroPoint: number }>();
  for (const name of quantizedTensors(copy)) {
    const r = ranges.get(name);
    if (!r) throw new Error(`quantize: no calibrated range for tensor ${name}`);
    const p = activationParams(r);
    params.set(name, p);
    newInits.push(tensor(`${name}/scale`, [], T.FLOAT, Float32Array.of(p.scale)), tensor(`${name}/zero_point`, [], T.UINT8, Uint8Array.of(p.zeroPoint)));
  }

  const nodes: INode[] = [];
  // Q → DQ right after the tensor is made; every consumer reads the dequantized copy.
  const qdq = (name: string): void => {
    nodes.push(
      { opType: 'QuantizeLinear', input: [name, `${name}/scale`, `${name}/zero_point`], output: [`${name}/q`], name: `${name}/quantize` },
      { opType: 'DequantizeLinear', input: [`${name}/q`, `${name}/scale`, `${name}/zero_point`], output: [`${name}/dq`], name: `${name}/dequantize` },
    );
  };
  // A float initializer replaced by its integer copy behind a per-channel DequantizeLinear.
  const dequantized = (float: ITensor, q: Int8Array | Int32Array, scales: Float32Array, axis: number): string => {
    const name = float.name!;
    const [qType, Zero] = q instanceof Int8Array ? [T.INT8, Int8Array] : [T.INT32, Int32Array];
    drop.add(name);
    newInits.push(
      tensor(`${name}/q`, float.dims!.map(Number), qType, q),
      tensor(`${name}/scale`, [scales.length], T.FLOAT, scales),
      tensor(`${name}/zero_point`, [scales.length], qType, new Zero(scales.length)),
    );
    nodes.push({
      opType: 'DequantizeLinear',
      input: [`${name}/q`, `${name}/scale`, `${name}/zero_point`],
      output: [`${name}/dq`],
      name: `${name}/dequantize`,
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: axis }],
    });
    return `${name}/dq`;
  };
  // Weights int8 per output channel; bias int32 at the scale of input × weight (what QLinearConv wants).
  const quantizeParams = (n: INode, input: string): void => {
    const x = params.get(input)!;
    const w = inits.get(n.input![1]!);
    const b = n.input![2] ? inits.get(n.input![2]) : undefined;
    if (!w) throw new Error(`quantize: ${n.name}: weight ${n.input![1]} is not an initializer`);
    const dims = w.dims!.map(Number);
    const rows = dims[0]!;
    const cols = dims.slice(1).reduce((a, d) => a * d, 1);
    const axis = n.opType === 'Conv' ? 0 : 1; // Conv OIHW: per O; Gemm B [K, N]: per N
    const { q, scales } = quantizeWeights(floats(w), rows, cols, axis);
    n.input![1] = dequantized(w, q, scales, axis);
    if (!b) return;
    const bScale = Float32Array.from(scales, (s) => s * x.scale);
    const bq = Int32Array.from(floats(b), (v, i) => Math.round(v / bScale[i]!));
    n.input![2] = dequantized(b, bq, bScale, 0);
  };

  for (const n of g.node!) {
    const input = n.input![0]!;
    n.input = n.input!.map((i) => (params.has(i) ? `${i}/dq` : i));
    if (n.opType === 'Conv' || n.opType === 'Gemm') quantizeParams(n, input);
    nodes.push(n);
    for (const o of n.output!) if (params.has(o)) qdq(o);
  }
  g.node = nodes;
  g.initializer = [...g.initializer!.filter((t) => !drop.has(t.name!)), ...newInits];
  copy.docString = doc;
  return onnx.ModelProto.encode(copy).finish();
}

// Writes the ONNX graph from the one model description: uint8 NHWC RGB frames in, caffe
// preprocessing, NCHW convs (ONNX Runtime's fast layout), back to NHWC before Flatten so the
// flattened order is Keras' H,W,C (a Keras head's weights load unchanged), then the dense head. Bytes via onnx-proto.
import onnxProto from 'onnx-proto';
import { checkWeights, layerShapes } from './layers.ts';
import type { LayerSpec, LayerWeights, WeightSet } from './layers.ts';
import { CAFFE_MEAN_BGR } from './caffe.ts';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttr = onnxProto.onnx.IAttributeProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const UINT8 = onnx.TensorProto.DataType.UINT8;
const OPSET = 13;

function floatTensor(name: string, dims: number[], data: Float32Array): ITensor {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, values: number[]): ITensor {
  const data = BigInt64Array.from(values.map(BigInt));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(data.buffer) };
}

function ints(name: string, v: number[]): IAttr {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
}

function int(name: string, v: number): IAttr {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
}

/** HWIO → OIHW (ONNX Conv's weight layout). */
function convWeightOIHW(w: LayerWeights): { dims: number[]; data: Float32Array } {
  const [kh, kw, ci, co] = w.kernelShape as [number, number, number, number];
  const out = new Float32Array(w.kernel.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + h) * kw + x] = w.kernel[((h * kw + x) * ci + i) * co + o]!;
  return { dims: [co, ci, kh, kw], data: out };
}

export interface ExportOptions {
  height: number;
  width: number;
  layers: LayerSpec[];
  weights: WeightSet;
  /** Stored in the model's doc string (e.g. which weights, which backbone). */
  doc?: string;
}

/**
 * Input `frames` uint8 [N,H,W,3] RGB; output `output`: softmax probabilities [N,classes] when the
 * last layer is a softmax dense, else the last tensor flattened as [N, h*w*c] in Keras HWC order.
 */
export function exportOnnx(o: ExportOptions): Uint8Array {
  const problem = checkWeights(o.layers, [o.height, o.width, 3], o.weights);
  if (problem) throw new Error(`exportOnnx: ${problem}`);
  const shapes = layerShapes(o.layers, [o.height, o.width, 3]);
  const nodes: INode[] = [];
  const inits: ITensor[] = [int64Tensor('bgr_index', [2, 1, 0]), floatTensor('caffe_mean', [3], Float32Array.from(CAFFE_MEAN_BGR))];
  const node = (opType: string, inputs: string[], name: string, attribute: IAttr[] = []): string => {
    nodes.push({ opType, input: inputs, output: [name], name, attribute });
    return name;
  };
  let x = node('Cast', ['frames'], 'cast_float', [int('to', FLOAT)]);
  x = node('Gather', [x, 'bgr_index'], 'rgb_to_bgr', [int('axis', 3)]);
  x = node('Sub', [x, 'caffe_mean'], 'caffe_preprocess');
  x = node('Transpose', [x], 'to_nchw', [ints('perm', [0, 3, 1, 2])]);
  let nchw = true;
  const toNhwc = (name: string): void => {
    if (nchw) x = node('Transpose', [x], name, [ints('perm', [0, 2, 3, 1])]);
    nchw = false;
  };
  for (const layer of o.layers) {
    const w = o.weights.get(layer.name);
    switch (layer.type) {
      case 'conv2d': {
        const k = convWeightOIHW(w!);
        inits.push(floatTensor(`${layer.name}/kernel`, k.dims, k.data), floatTensor(`${layer.name}/bias`, [w!.bias.length], w!.bias));
        const pad = Math.floor(layer.kernel / 2);
        x = node('Conv', [x, `${layer.name}/kernel`, `${layer.name}/bias`], `${layer.name}/conv`, [
          ints('kernel_shape', [layer.kernel, layer.kernel]),
          ints('pads', [pad, pad, layer.kernel - 1 - pad, layer.kernel - 1 - pad]),
          ints('strides', [1, 1]),
        ]);
        x = node('Relu', [x], layer.name);
        break;
      }
      case 'maxpool':
        x = node('MaxPool', [x], layer.name, [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])]);
        break;
      case 'flatten':
        toNhwc(`${layer.name}/to_nhwc`);
        x = node('Flatten', [x], layer.name, [int('axis', 1)]);
        break;
      case 'gap':
      case 'gmp':
        // NCHW → [N,C,1,1] → [N,C]: channel order is the same in either layout, so no transpose.
        x = node(layer.type === 'gap' ? 'GlobalAveragePool' : 'GlobalMaxPool', [x], `${layer.name}/pool`);
        x = node('Flatten', [x], layer.name, [int('axis', 1)]);
        nchw = false;
        break;
      case 'dense':
        inits.push(floatTensor(`${layer.name}/kernel`, w!.kernelShape, w!.kernel), floatTensor(`${layer.name}/bias`, [w!.bias.length], w!.bias));
        x = node('Gemm', [x, `${layer.name}/kernel`, `${layer.name}/bias`], `${layer.name}/gemm`);
        x = node(layer.activation === 'relu' ? 'Relu' : 'Softmax', [x], layer.name, layer.activation === 'softmax' ? [int('axis', 1)] : []);
        break;
      case 'dropout':
        break; // identity at inference
    }
  }
  const last = shapes[shapes.length - 1] ?? [o.height, o.width, 3];
  if (last.length > 1) {
    toNhwc('features_to_nhwc');
    x = node('Flatten', [x], 'features', [int('axis', 1)]);
  }
  node('Identity', [x], 'output');
  const outSize = last.reduce((a, b) => a * b, 1);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'smashsight',
    docString: o.doc ?? '',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'smashsight',
      node: nodes,
      initializer: inits,
      input: [valueInfo('frames', UINT8, ['N', o.height, o.width, 3])],
      output: [valueInfo('output', FLOAT, ['N', outSize])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

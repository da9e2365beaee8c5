// Keras 2 `model_config` JSON → our LayerSpec[] (the layer set we can export: Conv2D 3x3-style
// same+relu, MaxPooling2D 2x2, Flatten, Dense relu/softmax, Dropout). Anything else is refused.
import type { LayerSpec } from './layers.ts';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

export interface ParsedConfig {
  layers: LayerSpec[];
  /** [h, w] from the InputLayer when fixed. */
  inputSize: [number, number] | null;
}

function layerList(config: unknown): KerasLayer[] {
  const c = config as { class_name?: string; config?: unknown };
  const inner = c?.config;
  if (Array.isArray(inner)) return inner as KerasLayer[]; // Keras ≤2.2 Sequential
  const layers = (inner as { layers?: unknown })?.layers;
  if (!Array.isArray(layers)) throw new Error('model_config has no "layers" list');
  return layers as KerasLayer[];
}

function pair(v: unknown): [number, number] | null {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  return null;
}

function convert(l: KerasLayer, name: string): LayerSpec {
  const c = l.config;
  const why = (what: string): Error => new Error(`layer ${name} (${l.class_name}): ${what}`);
  switch (l.class_name) {
    case 'Conv2D': {
      const k = pair(c.kernel_size);
      if (!k || k[0] !== k[1] || k[0] % 2 !== 1) throw why(`kernel_size ${JSON.stringify(c.kernel_size)} unsupported (square, odd)`);
      if (c.padding !== 'same' || c.activation !== 'relu') throw why('only padding "same" with relu activation is supported');
      const s = pair(c.strides ?? 1);
      if (s?.[0] !== 1 || s[1] !== 1) throw why('only stride 1 is supported');
      if (c.data_format !== undefined && c.data_format !== 'channels_last') throw why('only channels_last is supported');
      return { type: 'conv2d', name, filters: Number(c.filters), kernel: k[0] };
    }
    case 'MaxPooling2D': {
      const p = pair(c.pool_size);
      const s = pair(c.strides ?? c.pool_size);
      if (p?.[0] !== 2 || p[1] !== 2 || !s || s[0] !== 2 || s[1] !== 2 || (c.padding ?? 'valid') !== 'valid') {
        throw why('only 2x2 pooling, stride 2, padding "valid" is supported');
      }
      return { type: 'maxpool', name };
    }
    case 'Flatten':
      return { type: 'flatten', name };
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      if (c.data_format !== undefined && c.data_format !== 'channels_last') throw why('only channels_last is supported');
      if (c.keepdims === true) throw why('keepdims is not supported');
      return { type: l.class_name === 'GlobalAveragePooling2D' ? 'gap' : 'gmp', name };
    case 'Dense':
      if (c.activation !== 'relu' && c.activation !== 'softmax') throw why(`activation ${String(c.activation)} unsupported (relu, softmax)`);
      return { type: 'dense', name, units: Number(c.units), activation: c.activation };
    case 'Dropout':
      return { type: 'dropout', name, rate: Number(c.rate) };
    default:
      throw why('unsupported layer type');
  }
}

export function parseModelConfig(json: string): ParsedConfig {
  let config: unknown;
  try {
    config = JSON.parse(json);
  } catch {
    throw new Error('model_config is not valid JSON');
  }
  const layers: LayerSpec[] = [];
  let inputSize: [number, number] | null = null;
  for (const l of layerList(config)) {
    const name = String(l.config?.name ?? (l as { name?: string }).name ?? '');
    const shape = (l.config?.batch_input_shape ?? l.config?.batch_shape) as unknown;
    if (Array.isArray(shape) && shape.length === 4) {
      const [, h, w, c] = shape as (number | null)[];
      if (c !== 3) throw new Error(`input ${name}: expects ${String(c)} channels, not 3 (RGB)`);
      inputSize = typeof h === 'number' && typeof w === 'number' ? [h, w] : null;
    }
    if (l.class_name === 'InputLayer') continue;
    layers.push(convert(l, name));
  }
  return { layers, inputSize };
}

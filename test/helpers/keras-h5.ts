// Writes .h5 files in the two Keras layouts the importer reads, with h5wasm, so the import tests
// need no real Keras files: the notop weights layout and a full Keras 2 model.
import h5wasm from 'h5wasm/node';
import { hasWeights } from '../../engine/layers.ts';
import type { LayerSpec, WeightSet } from '../../engine/layers.ts';

type Group = InstanceType<typeof h5wasm.Group>;

function fixedStrings(g: Group, name: string, values: string[]): void {
  // Keras stores name lists as numpy fixed-length byte strings ('S<n>').
  const n = Math.max(1, ...values.map((v) => v.length));
  g.create_attribute(name, values, [values.length], `S${n}`);
}

function writeLayer(g: Group, layer: string, w: { kernel: Float32Array; kernelShape: number[]; bias: Float32Array }, legacy: boolean): void {
  const names = legacy ? [`${layer}_W_1:0`, `${layer}_b_1:0`] : [`${layer}/kernel:0`, `${layer}/bias:0`];
  fixedStrings(g, 'weight_names', names);
  const holder = legacy ? g : g.create_group(layer);
  const base = (n: string): string => n.slice(n.lastIndexOf('/') + 1);
  holder.create_dataset({ name: base(names[0]!), data: w.kernel, shape: w.kernelShape, dtype: '<f' });
  holder.create_dataset({ name: base(names[1]!), data: w.bias, shape: [w.bias.length], dtype: '<f' });
}

/** Like vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5: a group per layer at the root. */
export async function writeNotopH5(file: string, layers: LayerSpec[], weights: WeightSet, opts: { legacyNames?: boolean } = {}): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    fixedStrings(f, 'layer_names', ['input_1', ...layers.map((l) => l.name)]);
    for (const l of layers) {
      const g = f.create_group(l.name);
      const w = weights.get(l.name);
      if (hasWeights(l) && w) writeLayer(g, l.name, w, opts.legacyNames ?? true);
      else g.create_attribute('weight_names', [], [0], 'S1');
    }
  } finally {
    f.close();
  }
}

function kerasLayerConfig(l: LayerSpec): { class_name: string; config: Record<string, unknown> } {
  switch (l.type) {
    case 'conv2d':
      return {
        class_name: 'Conv2D',
        config: {
          name: l.name,
          filters: l.filters,
          kernel_size: [l.kernel, l.kernel],
          strides: [1, 1],
          padding: 'same',
          data_format: 'channels_last',
          activation: 'relu',
        },
      };
    case 'maxpool':
      return { class_name: 'MaxPooling2D', config: { name: l.name, pool_size: [2, 2], strides: [2, 2], padding: 'valid', data_format: 'channels_last' } };
    case 'flatten':
      return { class_name: 'Flatten', config: { name: l.name } };
    case 'gap':
      return { class_name: 'GlobalAveragePooling2D', config: { name: l.name, data_format: 'channels_last' } };
    case 'gmp':
      return { class_name: 'GlobalMaxPooling2D', config: { name: l.name, data_format: 'channels_last' } };
    case 'dense':
      return { class_name: 'Dense', config: { name: l.name, units: l.units, activation: l.activation, kernel_initializer: { class_name: 'VarianceScaling' } } };
    case 'dropout':
      return { class_name: 'Dropout', config: { name: l.name, rate: l.rate } };
  }
}

/** Like the notebook's `*-model.h5` (Keras 2 `Model.save`): `model_config` + `model_weights/`. */
export async function writeKerasModelH5(
  file: string,
  layers: LayerSpec[],
  weights: WeightSet,
  input: [number, number],
  opts: { splitLayerNames?: boolean } = {},
): Promise<void> {
  await h5wasm.ready;
  const config = {
    class_name: 'Model',
    config: {
      name: 'model_1',
      layers: [
        {
          name: 'input_1',
          class_name: 'InputLayer',
          config: { name: 'input_1', batch_input_shape: [null, input[0], input[1], 3], dtype: 'float32' },
          inbound_nodes: [],
        },
        ...layers.map((l, i) => ({ name: l.name, ...kerasLayerConfig(l), inbound_nodes: [[[i === 0 ? 'input_1' : layers[i - 1]!.name, 0, 0, {}]]] })),
      ],
    },
  };
  const f = new h5wasm.File(file, 'w');
  try {
    f.create_attribute('model_config', JSON.stringify(config));
    f.create_attribute('keras_version', '2.1.6');
    f.create_attribute('backend', 'tensorflow');
    const root = f.create_group('model_weights');
    const names = ['input_1', ...layers.map((l) => l.name)];
    if (opts.splitLayerNames) {
      // Keras splits attributes over 64 KiB into layer_names0, layer_names1, …
      const half = Math.ceil(names.length / 2);
      fixedStrings(root, 'layer_names0', names.slice(0, half));
      fixedStrings(root, 'layer_names1', names.slice(half));
    } else {
      fixedStrings(root, 'layer_names', names);
    }
    for (const name of names) {
      const g = root.create_group(name);
      const l = layers.find((x) => x.name === name);
      const w = weights.get(name);
      if (l && hasWeights(l) && w) writeLayer(g, name, w, false);
      else g.create_attribute('weight_names', [], [0], 'S1');
    }
  } finally {
    f.close();
  }
}

// Keras model_config → layer descriptions: the global pooling heads import as what they are, and
// an option the engines do not implement is refused naming the layer.
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../engine/keras-config.ts';

const model = (...layers: { class_name: string; config: Record<string, unknown> }[]): string =>
  JSON.stringify({ class_name: 'Sequential', config: { name: 'm', layers } });

describe('parseModelConfig', () => {
  it('reads GlobalAveragePooling2D and GlobalMaxPooling2D', () => {
    const { layers } = parseModelConfig(
      model(
        { class_name: 'GlobalAveragePooling2D', config: { name: 'avg', data_format: 'channels_last' } },
        { class_name: 'GlobalMaxPooling2D', config: { name: 'max', data_format: 'channels_last' } },
      ),
    );
    expect(layers).toEqual([
      { type: 'gap', name: 'avg' },
      { type: 'gmp', name: 'max' },
    ]);
  });

  it('refuses keepdims and channels_first, naming the layer', () => {
    expect(() => parseModelConfig(model({ class_name: 'GlobalMaxPooling2D', config: { name: 'p', keepdims: true } }))).toThrow(
      'layer p (GlobalMaxPooling2D): keepdims is not supported',
    );
    expect(() => parseModelConfig(model({ class_name: 'GlobalMaxPooling2D', config: { name: 'q', data_format: 'channels_first' } }))).toThrow(
      'layer q (GlobalMaxPooling2D): only channels_last is supported',
    );
  });
});

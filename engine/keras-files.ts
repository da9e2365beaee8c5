// The published Keras VGG16 notop weights file: name, md5, URL (light: no h5wasm load).
import crypto from 'node:crypto';
import fs from 'node:fs';

export const VGG16_NOTOP_FILE = 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5';
export const VGG16_NOTOP_MD5 = '6d6bbae143d832006294945121d1f1fc';
export const VGG16_NOTOP_URL = `https://storage.googleapis.com/tensorflow/keras-applications/vgg16/${VGG16_NOTOP_FILE}`;

export function md5File(file: string): string {
  return crypto.createHash('md5').update(fs.readFileSync(file)).digest('hex');
}

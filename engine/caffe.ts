// Keras' "caffe" preprocessing for VGG16 (RGB → BGR, minus the ImageNet mean, no scaling).
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

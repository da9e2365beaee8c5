// Turns an image file into the model's input: rgb24 HWC at the model's size, stretched like
// Keras' target_size (no crop, no letterbox), with the one resize the serving path uses too.
import sharp from 'sharp';
import { UserError } from '../kit/errors.ts';
import { SHARP_MODEL_RESIZE } from '../kit/resize.ts';

/** Decodes and resizes one image. Throws UserError naming the file when it can't be decoded. */
export async function decodeImage(file: string, width: number, height: number): Promise<Buffer> {
  try {
    const { data, info } = await sharp(file, { failOn: 'warning' })
      .removeAlpha()
      .toColourspace('srgb')
      .resize(width, height, SHARP_MODEL_RESIZE)
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== width * height * 3) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return data;
  } catch (err) {
    throw new UserError(`${file}: cannot decode image (${(err as Error).message.split('\n')[0]})`);
  }
}

export type DecodeResult = { ok: true; data: Buffer } | { ok: false; reason: string };

/** Decodes several images at once (sharp's thread pool), one result per file, never throwing. */
export async function decodeMany(files: string[], width: number, height: number): Promise<DecodeResult[]> {
  return Promise.all(
    files.map(async (f): Promise<DecodeResult> => {
      try {
        return { ok: true, data: await decodeImage(f, width, height) };
      } catch (err) {
        return { ok: false, reason: (err as Error).message };
      }
    }),
  );
}

// tfjs' Adam with its temporaries freed as it goes. tfjs-core 4.22's applyGradients runs every
// variable's update inside one tidy(): ~14 weight-sized temporaries per variable, all alive until
// the last variable is done. For the notebook's Flatten head (a 25088×512 kernel, 51 MB) that is
// ~0.75 GB per step, and on tfjs-wasm the heap it grew to is never given back. This class does
// the same operations in the same order (so the same weights, bit for bit) and keeps at most three
// temporaries of one variable alive.
import type * as TF from '@tensorflow/tfjs';
import type { Tfjs } from '../engine/tfjs.ts';

/** AdamOptimizer's private state in tfjs-core 4.22 (pinned in package.json; test/lean-adam.test.ts checks the match). */
interface AdamState {
  accBeta1: TF.Variable;
  accBeta2: TF.Variable;
  accumulatedFirstMoment: { originalName: string; variable: TF.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: TF.Variable }[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

type NamedGradients = TF.NamedTensorMap | { name: string; tensor: TF.Tensor }[];

/** `tf.train.adam(lr)` with the same results, holding at most three weight-sized temporaries at once. */
export function leanAdam(tf: Tfjs, learningRate: number): TF.AdamOptimizer {
  const opt = tf.train.adam(learningRate);
  const s = opt as unknown as AdamState;
  // Inside one tidy like tfjs' own (it frees the scalars each op makes), but every weight-sized
  // temporary is disposed as soon as the next op has read it.
  const then = <T extends TF.Tensor>(out: T, ...done: TF.Tensor[]): T => {
    tf.dispose(done);
    return out;
  };
  opt.applyGradients = (grads: NamedGradients): void => {
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, s.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, s.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const g = Array.isArray(grads) ? grads[i]!.tensor : grads[name];
        if (g == null) return;
        const m = s.accumulatedFirstMoment[i]!.variable;
        const v = s.accumulatedSecondMoment[i]!.variable;
        const mb = tf.mul(m, s.beta1);
        const gb = tf.mul(g, 1 - s.beta1);
        const m1 = then(tf.add(mb, gb), mb, gb); // m*b1 + g*(1-b1)
        const vb = tf.mul(v, s.beta2);
        const sq = tf.square(g);
        const g2 = then(tf.mul(sq, 1 - s.beta2), sq);
        const v1 = then(tf.add(vb, g2), vb, g2); // v*b2 + g²*(1-b2)
        const mHat = tf.div(m1, oneMinusAccBeta1);
        const vHat = tf.div(v1, oneMinusAccBeta2);
        m.assign(m1);
        v.assign(v1);
        tf.dispose([m1, v1]); // the variables hold that data now
        const root = then(tf.sqrt(vHat), vHat);
        const denom = then(tf.add(root, s.epsilon), root);
        const ratio = then(tf.div(mHat, denom), mHat, denom);
        const delta = then(tf.mul(ratio, -s.learningRate), ratio);
        const next = then(tf.add(delta, value), delta);
        value.assign(next);
        next.dispose();
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    (opt as unknown as { incrementIterations(): void }).incrementIterations();
  };
  return opt;
}

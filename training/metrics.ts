// Classification figures from true and predicted class indices: top-1, the confusion matrix in
// counts and row-normalized (the notebook's figure), per-class precision / recall / F1.

export interface ClassFigures {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  classes: string[];
  total: number;
  correct: number;
  top1: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Each row divided by its sum (0 for an empty row). */
  normalized: number[][];
  perClass: ClassFigures[];
  macroF1: number;
}

/** Index of the largest value in each row of a [n, k] array. */
export function argmaxRows(values: Float32Array, k: number): Int32Array {
  const n = values.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (values[i * k + j] > values[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

export function evaluatePredictions(classes: string[], truth: ArrayLike<number>, pred: ArrayLike<number>): Evaluation {
  const k = classes.length;
  const confusion = classes.map(() => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][pred[i]] += 1;
    if (truth[i] === pred[i]) correct += 1;
  }
  const normalized = confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum > 0 ? v / sum : 0));
  });
  const perClass = classes.map((name, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { name, precision, recall, f1, support };
  });
  const present = perClass.filter((c) => c.support > 0);
  const macroF1 = present.length > 0 ? present.reduce((a, c) => a + c.f1, 0) / present.length : 0;
  return { classes, total: truth.length, correct, top1: truth.length > 0 ? correct / truth.length : 0, confusion, normalized, perClass, macroF1 };
}

/** The evaluation as Markdown: headline, per-class table, confusion matrix in counts. */
export function evaluationMarkdown(e: Evaluation, title: string): string {
  const pct = (v: number): string => (100 * v).toFixed(1);
  const lines = [
    `# ${title}`,
    '',
    `Top-1 accuracy: **${pct(e.top1)}%** (${e.correct}/${e.total}); macro F1 ${e.macroF1.toFixed(3)}.`,
    '',
    '| class | precision | recall | F1 | support |',
    '|---|---:|---:|---:|---:|',
    ...e.perClass.map((c) => `| ${c.name} | ${c.precision.toFixed(3)} | ${c.recall.toFixed(3)} | ${c.f1.toFixed(3)} | ${c.support} |`),
    '',
    'Confusion matrix (rows: true, columns: predicted):',
    '',
    `| true \\ predicted | ${e.classes.join(' | ')} |`,
    `|---|${e.classes.map(() => '---:').join('|')}|`,
    ...e.confusion.map((row, i) => `| ${e.classes[i]} | ${row.join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}

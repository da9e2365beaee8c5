// A loop that only awaits settled promises (tfjs-wasm's trainOnBatch and data() resolve without a
// macrotask) never lets the event loop run, so Ctrl-C's handler, timers and progress output wait
// until it ends: 100000 epochs of a small head ignored SIGINT for as long. One turn per batch
// costs microseconds.

/** Resolves after the event loop has run once (signals, I/O callbacks, timers). */
export const eventLoopTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

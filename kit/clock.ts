// One clock for stamps that cross processes and the browser: epoch milliseconds with sub-ms
// precision (Date.now() has whole ms; performance.now() alone has no epoch).

export const now = (): number => performance.timeOrigin + performance.now();

// What the CPU can do, from /proc/cpuinfo (Linux): benchmarks print it beside their figures, and
// the engine picks int8 by default only where the CPU has VNNI (8-bit dot products in one step).
import fs from 'node:fs';

let cached: Set<string> | null | undefined;

/** The CPU's feature flags, or null where /proc/cpuinfo cannot be read (not Linux). */
export function cpuFlagSet(): Set<string> | null {
  if (cached !== undefined) return cached;
  try {
    cached = new Set(/^flags\s*:\s*(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? []);
  } catch {
    cached = null;
  }
  return cached;
}

/** AVX-512 VNNI or AVX-VNNI: where int8 convolutions run about twice as fast as without. */
export function hasVnni(): boolean {
  const f = cpuFlagSet();
  return f !== null && (f.has('avx512_vnni') || f.has('avx_vnni'));
}

/** One line for a benchmark: the flags that decide its figures. */
export function describeCpu(): string {
  const f = cpuFlagSet();
  if (!f) return 'unknown (no /proc/cpuinfo)';
  return ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16'].map((x) => `${x} ${f.has(x) ? 'yes' : 'no'}`).join(', ');
}

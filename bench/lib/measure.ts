/** Reporting helpers: plaintext MB/s (10^6 bytes per second) and a text table. */

export function mbps (bytes: number, seconds: number): number {
  return bytes / seconds / 1e6
}

/** A plain text table with right-aligned columns after the first. */
export function formatTable (header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join('  ')
  return [line(header), widths.map(w => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median (xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

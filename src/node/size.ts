/** Byte counts as users write them in config.json and on the command line. */

const SIZE_UNITS: Record<string, number> = {
  '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, pi: 2 ** 50
}

/**
 * Parses a byte count the way Tahoe's `parse_abbreviated_size` does: a plain
 * number, or a number with a unit — decimal (`kB`, `MB`, `GB`, `TB`) or binary
 * (`KiB`, `MiB`, `GiB`, `TiB`); the trailing `B` and the case are optional.
 * Returns undefined when the text is not a size.
 */
export function parseSize (text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]i?)?b?\s*$/i.exec(text)
  if (m == null) return undefined
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase()]
  if (unit === undefined) return undefined
  return Math.round(Number(m[1]) * unit)
}


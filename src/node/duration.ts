/** Durations as operators write them: `30d`, `36h`, `90m`, `45s`, or a bare number of seconds. */
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration (text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/i.exec(text)
  if (m === null) return undefined
  const ms = Number(m[1]) * UNITS[(m[2] === '' ? 's' : m[2]).toLowerCase()]
  return Number.isFinite(ms) ? Math.round(ms) : undefined
}

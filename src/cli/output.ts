/**
 * What the CLI prints: JSON for scripts (`--json`, one document on stdout),
 * text for people, and a progress bar on stderr only when stderr is a TTY.
 */
export interface Output {
  readonly json: boolean
  /** The command's result: JSON as is with --json, else `human(result)` lines. */
  result: <T>(value: T, human: (v: T) => string | string[]) => void
  /** A note for people (stderr); silent with --json. */
  note: (text: string) => void
  progress: (label: string, total: number | undefined) => ProgressBar
}

export interface ProgressBar {
  update: (done: number, total?: number, label?: string) => void
  done: () => void
}

const NO_BAR: ProgressBar = { update: () => {}, done: () => {} }

export function formatBytes (n: number | null | undefined): string {
  if (n === null || n === undefined) return 'unlimited'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let i = 0
  let v = n
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`
}

function bar (stream: NodeJS.WriteStream, label: string, initialTotal: number | undefined): ProgressBar {
  let total = initialTotal
  let text = label
  let last = 0
  const draw = (done: number, force = false): void => {
    const now = Date.now()
    if (!force && now - last < 100) return
    last = now
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 50))
    const frac = total !== undefined && total > 0 ? Math.min(1, done / total) : 0
    const filled = Math.round(frac * width)
    const pct = total !== undefined && total > 0 ? `${(frac * 100).toFixed(0).padStart(3)}%` : '   ?'
    const line = `${text.padEnd(11).slice(0, 11)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${formatBytes(done)}${total !== undefined ? ` / ${formatBytes(total)}` : ''}`
    stream.write(`\r${line}\x1b[K`)
  }
  let doneBytes = 0
  return {
    update: (done, t, l) => {
      if (t !== undefined) total = t
      if (l !== undefined && l !== text) { text = l; last = 0 }
      doneBytes = done
      draw(done)
    },
    done: () => {
      draw(doneBytes, true)
      stream.write('\r\x1b[K')
    }
  }
}

export function createOutput (json: boolean): Output {
  return {
    json,
    result: (value, human) => {
      if (json) {
        process.stdout.write(JSON.stringify(value, (_k, v: unknown) => typeof v === 'bigint' ? v.toString() : v, 2) + '\n')
        return
      }
      const lines = human(value)
      const text = Array.isArray(lines) ? lines.join('\n') : lines
      if (text !== '') process.stdout.write(text + '\n')
    },
    note: (text) => {
      if (!json) process.stderr.write(text + '\n')
    },
    progress: (label, total) => {
      if (json || !process.stderr.isTTY) return NO_BAR
      return bar(process.stderr, label, total)
    }
  }
}

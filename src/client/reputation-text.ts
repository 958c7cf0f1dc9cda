/** How reputation says things: times, offences, rates, and whether an error was a timeout. */
import type { Offence } from './reputation-types.js'

export function isTimeout (err: unknown): boolean {
  const e = err as { code?: string, name?: string, message?: string } | undefined
  return e?.code === 'ERR_TIMEOUT' || e?.name === 'TimeoutError' || /timed? ?out/i.test(e?.message ?? '')
}

/** "3 min ago", "2 h ago": how notes and the status page say when. */
export function agoText (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 90) return `${s} s ago`
  const min = Math.round(s / 60)
  if (min < 90) return `${min} min ago`
  const h = Math.round(min / 60)
  if (h < 48) return `${h} h ago`
  return `${Math.round(h / 24)} d ago`
}

export function offenceText (kind: Offence): string {
  switch (kind) {
    case 'corrupt': return 'served a corrupt block'
    case 'wrong-have': return 'listed a share it could not serve'
    case 'lost-share': return 'lost a share placed on it'
  }
}

export function rateText (bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} MB/s`
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kB/s`
  return `${Math.round(bps)} B/s`
}

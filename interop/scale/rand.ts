/** A seeded xorshift32, so that a run's victims, sizes and nodes repeat with its seed. */
export interface Rand {
  /** In [0, 1). */
  next: () => number
  /** A whole number in [0, n). */
  int: (n: number) => number
  pick: <T>(items: readonly T[]) => T
  shuffle: <T>(items: readonly T[]) => T[]
}

export function seeded (seed: number): Rand {
  let x = (seed >>> 0) || 0x9e3779b9
  const next = (): number => {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    return x / 2 ** 32
  }
  const int = (n: number): number => Math.floor(next() * n)
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('nothing to pick from')
    return items[int(items.length)]
  }
  const shuffle = <T>(items: readonly T[]): T[] => {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(i + 1)
      ;[out[i], out[j]] = [out[j], out[i]]
    }
    return out
  }
  return { next, int, pick, shuffle }
}

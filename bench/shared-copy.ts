import '../src/shim.js'
/**
 * Why the segment worker puts a segment together in ordinary memory before
 * it copies it into its shared slot (src/immutable/segment-worker.ts,
 * mirrorOf): V8 copies into a SharedArrayBuffer a word at a time only when
 * source and target are equally aligned. A block arrives in pieces of up
 * to 64 KiB whose offsets have nothing to do with the slot's, so copying
 * them straight into the slot is the slow case. Baseline: the same pieces
 * into ordinary memory, in the same process.
 *
 *   npm run bench:shared-copy
 */
import { formatTable } from './lib/measure.js'

const SEGMENT = 2 ** 20
/** A Noise message's payload: the size most pieces of a received block have. */
const PIECE = 65519
const REPEATS = 400

const pieces: Uint8Array[] = []
for (let at = 0; at < SEGMENT; at += PIECE) pieces.push(new Uint8Array(Math.min(PIECE, SEGMENT - at)).fill(at & 0xff))
const shared = new Uint8Array(new SharedArrayBuffer(SEGMENT))
const ordinary = new Uint8Array(SEGMENT)
const mirror = new Uint8Array(SEGMENT)

const ways: Array<[string, () => void]> = [
  ['pieces into ordinary memory (baseline)', () => { let at = 0; for (const p of pieces) { ordinary.set(p, at); at += p.byteLength } }],
  ['pieces straight into shared memory', () => { let at = 0; for (const p of pieces) { shared.set(p, at); at += p.byteLength } }],
  ['pieces into a mirror, then one copy into shared memory', () => {
    let at = 0
    for (const p of pieces) { mirror.set(p, at); at += p.byteLength }
    shared.set(mirror)
  }]
]

/** GiB/s of one way, best of 5 passes of REPEATS segments. */
function rate (copy: () => void): number {
  let best = Infinity
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now()
    for (let i = 0; i < REPEATS; i++) copy()
    best = Math.min(best, performance.now() - t0)
  }
  return REPEATS * SEGMENT / 2 ** 30 / (best / 1000)
}

for (const [, copy] of ways) copy() // warm-up
const rates = ways.map(([, copy]) => rate(copy))
console.log(`a 1 MiB segment in ${pieces.length} pieces of up to ${PIECE} bytes, best of 5 x ${REPEATS}`)
console.log(formatTable(['copy', 'GiB/s', 'x baseline'], ways.map(([name], i) => [name, rates[i].toFixed(1), `${(rates[i] / rates[0]).toFixed(2)}x`])))

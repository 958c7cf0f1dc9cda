/**
 * The soak's hostile clients in their own process (their floods must not
 * slow the honest clients' event loop, or an honest failure would say
 * nothing about the server). Runs every attack of soak-attacks.ts against
 * the address in argv until told to stop; answers 'tallies' with what each
 * attack sent and how the server answered.
 *
 * Usage: soak-hostile-child <server multiaddr>
 */
import '../../src/shim.js'
import { serveAsChild } from './bench-child.js'
import { emptyTallies, runAttacks } from './soak-attacks.js'

const target = process.argv[2]
if (target == null) throw new Error('usage: soak-hostile-child <server multiaddr>')
const tallies = emptyTallies()
const stop = new AbortController()
let running: Promise<void> | undefined

process.on('message', msg => {
  if (msg === 'tallies') process.send?.({ type: 'tallies', tallies })
})

// Ctrl-C in the terminal reaches the whole process group: the soak decides when this process stops.
process.on('SIGINT', () => {})
// Streams the server resets leave rejections libp2p handles a tick later; the warnings say nothing here.
process.removeAllListeners('warning')
process.on('warning', w => { if (w.name !== 'PromiseRejectionHandledWarning') console.warn(w) })

await serveAsChild<{ pid: number }>(async () => {
  running = runAttacks(target, tallies, stop.signal)
  return { pid: process.pid }
}, async () => {
  stop.abort()
  await running
})

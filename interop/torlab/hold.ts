/**
 * Starts a private Tor network and waits to be killed: the torlab spec sends
 * it a signal while the network is starting and checks that the handlers left
 * no tor running and no folder behind.
 */
import { startTorNetwork } from './network.js'

await startTorNetwork({ log: line => { console.log(line) } })
console.log('torlab: ready')
// held open until a signal arrives
setInterval(() => {}, 60_000)

/**
 * One private Tor network for every torlab spec in a mocha run: starting one
 * costs ~20 s of voting, so the specs share it. Each spec file registers
 * `after(stopSharedNetwork)` at its top level (a root hook, run once after all
 * files); stopping twice is harmless. Stopping checks that no process
 * mentions the network's folder any more and that the folder is gone.
 */
import { existsSync } from 'node:fs'
import { type TorNetwork, startTorNetwork } from './network.js'
import assert from 'node:assert/strict'
import { TorLabError, findExecutable, pidsMentioning } from './procs.js'

let shared: Promise<TorNetwork> | undefined

export const NETWORK_START_TIMEOUT_MS = 300_000

export async function sharedNetwork (): Promise<TorNetwork> {
  shared ??= startTorNetwork({ log: line => { console.log(`      ${line}`) } })
  return await shared
}

export async function stopSharedNetwork (): Promise<void> {
  const p = shared
  shared = undefined
  if (p === undefined) return
  const net = await p.catch(() => undefined)
  if (net === undefined) return
  await net.stop()
  const left = pidsMentioning(net.dir)
  if (left.length > 0 || existsSync(net.dir)) {
    throw new TorLabError(`stopping the network left ${left.length} processes (${left.join(', ')}) and ${existsSync(net.dir) ? 'its folder' : 'no folder'} (${net.dir})`)
  }
}

export function elapsed (since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`
}

/** Skips (naming the Debian package) when tor is missing; fails without root, as .ci/run runs it. */
export function requireTorLab (ctx: Mocha.Context): void {
  if (findExecutable('tor') === undefined || findExecutable('tor-gencert') === undefined) {
    console.log('      SKIPPED: tor or tor-gencert not installed (apt-get install tor; .ci/run installs it)')
    ctx.skip()
  }
  assert.equal(process.getuid?.(), 0, 'the torlab specs need root (system users, nftables rules, tor as debian-tor): run them as root, as .ci/run does')
  assert.ok(findExecutable('nft') !== undefined, 'nft is missing: apt-get install nftables')
}

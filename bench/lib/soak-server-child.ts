/**
 * The soak's storage server: one real node (createNode, storage on, defaults
 * for every storage limit) alone in a process, which the soak starts under
 * `prlimit --nofile` so a descriptor leak fails here and not in the soak.
 * The honest clients' peer IDs (argv) are granted accounts, as an operator
 * grants a friend's key: over a long soak they store more than the free
 * quota. Reports { addr, peerId, pid } and stops (removing nothing: the
 * parent owns the data folder) on 'stop' or when the parent goes.
 *
 * Usage: soak-server-child <data dir> <capacity bytes> <honest peer id>...
 */
import '../../src/shim.js'
import { createNode, tuneProcess, type LafsNode } from '../../src/node/index.js'
import { serveAsChild } from './bench-child.js'

// As the lafs-club command does (node/process-tuning.ts): the figures are the product's.
tuneProcess()

export interface SoakServerInfo { addr: string, peerId: string, pid: number }

/** Quota of each honest client's granted account: never the limit a soak hits. */
const HONEST_QUOTA = 2 ** 40

const [dataDir, capacity, ...honest] = process.argv.slice(2)
if (dataDir == null || capacity == null) throw new Error('usage: soak-server-child <data dir> <capacity bytes> <honest peer id>...')
const silent = { info: () => {}, warn: () => {}, error: () => {} }
let node: LafsNode | undefined

// Ctrl-C in the terminal reaches the whole process group: the soak decides when this process stops.
process.on('SIGINT', () => {})

await serveAsChild<SoakServerInfo>(async () => {
  node = await createNode({
    dataDir,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    gateway: false,
    storage: { enabled: true, capacity: Number(capacity) },
    // Every client of the soak dials from 127.0.0.1: the per-IP connection
    // limits would otherwise refuse honest and hostile peers alike and the
    // soak would measure only them. The storage limits are the defaults.
    config: { connections: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }, nat: { upnp: false, autonat: false }, relay: { client: false, server: false } },
    logger: silent
  })
  for (const peerId of honest) node.storage!.grantAccount(peerId, { quota: HONEST_QUOTA, note: 'soak honest client' })
  return { addr: node.multiaddrs[0], peerId: node.peerId, pid: process.pid }
}, async () => {
  await node?.stop()
})

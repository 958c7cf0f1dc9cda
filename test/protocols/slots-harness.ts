/**
 * The harness of the mutable-slot specs (mutable-slots.spec.ts,
 * mutable-slots-limits.spec.ts): real libp2p nodes on 127.0.0.1 and real
 * storage servers in temp folders, torn down after each test, plus publishing
 * an encoded mutable file share by share with read-test-write.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { format } from 'node:util'
import { checkstringOf, writeEnablerHash, type EncodedMutable, type MutableShareSource } from '../../src/mutable/index.js'
import { registerStorageProtocols, serverIdOf, StorageClient } from '../../src/protocols/index.js'
import { createStorageServer, type LeaseSecrets, type StorageServer, type StorageServerOptions } from '../../src/storage/index.js'
import { createTestLibp2p, stopAll } from '../fixtures/libp2p.js'
import type { ComponentLogger, Logger } from '@libp2p/logger'
import type { Libp2p } from '@libp2p/interface'

export const EMPTY = new Uint8Array(0)
export const lease = (): LeaseSecrets => ({ renewSecret: new Uint8Array(randomBytes(32)), cancelSecret: new Uint8Array(randomBytes(32)) })

/** Keeps every log line, formatted (as test/storage/logging.spec.ts does). */
export function recordingLogger (lines: string[]): ComponentLogger {
  const make = (component: string): Logger => {
    const write = (fmt: string, ...args: unknown[]): void => { lines.push(`${component} ${format(String(fmt).replace(/%e/g, '%s'), ...args)}`) }
    return Object.assign(write, { error: write, trace: write, enabled: true, newScope: (scope: string) => make(`${component}:${scope}`) })
  }
  return { forComponent: make }
}

export interface Served { node: Libp2p, server: StorageServer, dir: string, stopProtocols: () => Promise<void> }

/** Registers the teardown (call inside a describe) and answers the helpers bound to it. */
export function slotHarness () {
  const nodes: Libp2p[] = []
  const servers: StorageServer[] = []
  const dirs: string[] = []
  const clients: StorageClient[] = []

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop()
    await stopAll(nodes.splice(0).map(n => ({ stop: async () => { await n.stop() } })))
    for (const s of servers.splice(0)) await s.stop().catch(() => {})
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
  })

  async function node (): Promise<Libp2p> {
    const n = await createTestLibp2p()
    nodes.push(n)
    return n
  }

  /** A storage node whose server records its own id (serverIdOf(peer ID)) with each write enabler, as a lafs-club node does. */
  async function serve (opts: Partial<StorageServerOptions> = {}, reuse?: { node: Libp2p, dir: string }): Promise<Served> {
    const dir = reuse?.dir ?? await mkdtemp(join(tmpdir(), 'lafs-slots-'))
    if (reuse === undefined) dirs.push(dir)
    const n = reuse?.node ?? await node()
    const server = await createStorageServer({ dir, gcIntervalMs: 0, serverId: serverIdOf(n.peerId), ...opts })
    servers.push(server)
    const stopProtocols = await registerStorageProtocols(n, server)
    return { node: n, server, dir, stopProtocols }
  }

  function client (from: Libp2p, to: Served): StorageClient {
    const c = new StorageClient(from, to.node.getMultiaddrs()[0])
    clients.push(c)
    return c
  }

  const enablerFor = (file: EncodedMutable, s: Served): Uint8Array => writeEnablerHash(file.cap.writekey, serverIdOf(s.node.peerId))

  /**
   * Publishes every share of `file`, share i on server i mod servers, with
   * one read-test-write per server: a new share tests "empty", an update
   * the checkstring of `previous`. Returns each server's answer.
   */
  async function publish (file: EncodedMutable, placed: Array<{ s: Served, c: StorageClient }>, previous?: EncodedMutable, leases = placed.map(() => lease())) {
    const expect = previous === undefined ? EMPTY : checkstringOf(previous.prefix)
    return await Promise.all(placed.map(async ({ s, c }, i) => {
      const mine = file.shares.map((share, shnum) => ({ share, shnum })).filter(x => x.shnum % placed.length === i)
      return await c.slotReadTestWrite(file.cap.storageIndex, enablerFor(file, s), leases[i], mine.map(({ share, shnum }) => ({
        shareNumber: shnum,
        test: [{ offset: 0, size: Math.max(1, expect.length), specimen: expect }],
        write: [{ offset: 0, data: share }],
        newLength: share.length
      })), [{ offset: 0, size: checkstringOf(file.prefix).length }])
    }))
  }

  function sources (file: EncodedMutable, placed: Array<{ c: StorageClient }>): MutableShareSource[] {
    return file.shares.map((_, shnum) => ({
      shnum,
      read: async (offset: number, size: number) => (await placed[shnum % placed.length].c.slotRead(file.cap.storageIndex, [shnum], [{ offset, size }])).get(shnum)![0]
    }))
  }

  return { node, serve, client, enablerFor, publish, sources }
}

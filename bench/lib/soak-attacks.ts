/**
 * The soak's hostile clients: the attacks of issue #12 on one storage
 * server, each a loop that runs until the signal aborts and counts what it
 * sent and how the server answered (by error code). Each loop awaits the
 * server's answer before its next request, as one greedy peer would; the
 * limits, not the attackers' manners, must keep the server healthy.
 */
import { randomBytes } from 'node:crypto'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { encodeFrame, waitDrain } from '../../src/protocols/framing/index.js'
import { STORAGE_PROTOCOL, StorageClient } from '../../src/protocols/index.js'
import { errorCode } from '../../src/protocols/errors.js'
import { Request } from '../../src/protocols/storage/message/storage.js'
import { encodeWriteFrame } from '../../src/protocols/storage/write-frame.js'
import { createBenchNode } from './transfer-node.js'
import type { Libp2p, Stream } from '@libp2p/interface'

const MiB = 2 ** 20

/** What one attack sent and how it was answered. */
export interface AttackTally {
  /** Requests (or sessions, connections, write frames: see `unit`) sent. */
  sent: number
  /** Answered with success. */
  ok: number
  /** Refusals and failures by error code (`no code: <message>` for errors without one). */
  refused: Record<string, number>
  unit: string
}

export type AttackName = 'allocationFlood' | 'tinyShares' | 'sybilReservations' | 'advisoryFlood' | 'stalledSessions' | 'connectionChurn'

type Tallies = Record<AttackName, AttackTally>

export function emptyTallies (): Tallies {
  const t = (unit: string): AttackTally => ({ sent: 0, ok: 0, refused: {}, unit })
  return {
    allocationFlood: t('allocate requests (10 shares each)'),
    tinyShares: t('allocate/write/close requests (0- and 1-byte shares)'),
    sybilReservations: t('allocate requests, each by a fresh peer ID (1 GiB reserved)'),
    advisoryFlood: t('corruption advisories (30,000-character reasons)'),
    stalledSessions: t('storage sessions opened (flooding 1 MiB write frames, never reading)'),
    connectionChurn: t('connections opened (one version request, then hang up)')
  }
}

/** The error's code, or a short description for errors without one. */
export function describeError (err: unknown): string {
  const code = errorCode(err)
  if (code !== undefined) return code
  const message = err instanceof Error ? err.message : String(err)
  return `no code: ${message.length > 80 ? message.slice(0, 77) + '...' : message}`
}

const u8 = (n: number): Uint8Array<ArrayBuffer> => {
  const b = new Uint8Array(n)
  b.set(randomBytes(n))
  return b
}
const lease = (): { renewSecret: Uint8Array, cancelSecret: Uint8Array } => ({ renewSecret: u8(32), cancelSecret: u8(32) })
const sleep = async (ms: number, signal: AbortSignal): Promise<void> => {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    function done (): void { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    signal.addEventListener('abort', done)
  })
}

class Attack {
  readonly nodes = new Set<Libp2p>()
  constructor (readonly target: Multiaddr, readonly tally: AttackTally, readonly signal: AbortSignal) {}

  async node (): Promise<Libp2p> {
    const n = await createBenchNode()
    this.nodes.add(n)
    return n
  }

  async drop (n: Libp2p): Promise<void> {
    this.nodes.delete(n)
    await Promise.resolve(n.stop()).catch(() => {})
  }

  client (n: Libp2p): StorageClient {
    return new StorageClient(n, this.target, { requestTimeoutMs: 30_000 })
  }

  /** Counts one request; resolves to its error code, or undefined on success. */
  async count (request: () => Promise<unknown>): Promise<string | undefined> {
    this.tally.sent++
    try {
      await request()
      this.tally.ok++
      return undefined
    } catch (err) {
      const code = describeError(err)
      this.tally.refused[code] = (this.tally.refused[code] ?? 0) + 1
      return code
    }
  }

  async stopAll (): Promise<void> {
    await Promise.allSettled([...this.nodes].map(async n => { await this.drop(n) }))
  }
}

/** Issue #12 item 2: one account allocates upload after upload and never writes. */
async function allocationFlood (a: Attack): Promise<void> {
  const client = a.client(await a.node())
  const shares = Array.from({ length: 10 }, (_, i) => i)
  while (!a.signal.aborted) {
    await a.count(async () => await client.allocate(u8(16), shares, 1000, lease()))
  }
  await client.stop()
}

/** Items 3: zero-byte shares (refused) and 1-byte shares (charged a block); a fresh peer ID once an account is full. */
async function tinyShares (a: Attack): Promise<void> {
  let node = await a.node()
  let client = a.client(node)
  while (!a.signal.aborted) {
    await a.count(async () => await client.allocate(u8(16), [0], 0, lease()))
    const si = u8(16)
    const shares = Array.from({ length: 10 }, (_, i) => i)
    const code = await a.count(async () => await client.allocate(si, shares, 1, lease()))
    if (code === undefined) {
      for (const sh of shares) {
        await a.count(async () => { await client.write(si, sh, 0, u8(1)); await client.close(si, sh) })
      }
    } else {
      // this account is at a limit: the attacker takes another identity
      await client.stop()
      await a.drop(node)
      node = await a.node()
      client = a.client(node)
    }
  }
  await client.stop()
}

/** Item 5: every fresh peer ID reserves its whole free quota (1 GiB) and writes nothing. */
async function sybilReservations (a: Attack): Promise<void> {
  while (!a.signal.aborted) {
    const node = await a.node()
    const client = a.client(node)
    await a.count(async () => await client.allocate(u8(16), [0, 1, 2, 3], 256 * MiB, lease()))
    await client.stop()
    await a.drop(node)
    await sleep(100, a.signal)
  }
}

/** Item 4: corruption advisories with long reasons, as fast as answered, from a new reporter every 5 s. */
async function advisoryFlood (a: Attack): Promise<void> {
  // the advisories need a share the server holds: the attacker stores one
  const owner = await a.node()
  const ownerClient = a.client(owner)
  const si = u8(16)
  await ownerClient.allocate(si, [0], 100, lease())
  await ownerClient.write(si, 0, 0, u8(100))
  await ownerClient.close(si, 0)
  await ownerClient.stop()
  await a.drop(owner)
  const reason = 'x'.repeat(30_000)
  while (!a.signal.aborted) {
    const node = await a.node()
    const client = a.client(node)
    const until = Date.now() + 5000
    while (!a.signal.aborted && Date.now() < until) {
      await a.count(async () => { await client.adviseCorrupt(si, 0, reason) })
    }
    await client.stop()
    await a.drop(node)
  }
}

/** Item 6: sessions that ask for a large read they never consume and flood 1 MiB write frames. */
async function stalledSessions (a: Attack): Promise<void> {
  // the share every stalled session asks to read (4 MiB, so the answer stalls)
  const owner = await a.node()
  const ownerClient = a.client(owner)
  const readSi = u8(16)
  await ownerClient.allocate(readSi, [0], 4 * MiB, lease())
  await ownerClient.write(readSi, 0, 0, u8(4 * MiB))
  await ownerClient.close(readSi, 0)
  await ownerClient.stop()
  await a.drop(owner)
  const data = randomBytes(MiB)
  while (!a.signal.aborted) {
    const node = await a.node()
    const deadline = Date.now() + 5000
    const floods: Array<Promise<void>> = []
    // two more sessions than the server allows on one connection
    for (let i = 0; i < 6 && !a.signal.aborted; i++) {
      a.tally.sent++
      let stream: Stream
      try {
        stream = await node.dialProtocol(a.target, STORAGE_PROTOCOL, { signal: AbortSignal.timeout(5000) })
      } catch (err) {
        const code = describeError(err)
        a.tally.refused[code] = (a.tally.refused[code] ?? 0) + 1
        continue
      }
      floods.push(flood(stream, readSi, data, deadline, a.signal).then(outcome => {
        if (outcome === 'ok') a.tally.ok++
        else a.tally.refused[outcome] = (a.tally.refused[outcome] ?? 0) + 1
      }))
    }
    await Promise.all(floods)
    await a.drop(node)
    await sleep(1000, a.signal)
  }
}

/** One stalled session until `deadline`: 'ok' if it stayed open, else how the server ended it. */
async function flood (stream: Stream, readSi: Uint8Array<ArrayBuffer>, data: Uint8Array, deadline: number, signal: AbortSignal): Promise<string> {
  const si = u8(16)
  let id = 1
  // a session over the per-connection limit is reset as soon as it is negotiated
  if (stream.status !== 'open') return 'refused: over the sessions-per-connection limit'
  try {
    // never read the answers: the server's read answer fills the window and stalls
    stream.pause()
    stream.send(encodeFrame(Request.encode({ id: id++, allocate: { storageIndex: si, shareNumbers: [0], shareSize: 16 * MiB, lease: { renewSecret: u8(32), cancelSecret: u8(32) } } })))
    stream.send(encodeFrame(Request.encode({ id: id++, read: { storageIndex: readSi, shareNumber: 0, offset: 0, length: 4 * MiB } })))
    let sent = 0
    while (Date.now() < deadline && !signal.aborted && stream.status === 'open') {
      const ok = stream.send(encodeWriteFrame(id++, { storageIndex: si, shareNumber: 0, offset: (sent % 16) * MiB, data: [data] }))
      sent++
      if (!ok) {
        try { await waitDrain(stream, AbortSignal.any([AbortSignal.timeout(Math.max(1, deadline - Date.now())), signal])) } catch { break }
      }
    }
  } catch (err) {
    return `session ended: ${describeError(err)}`
  }
  const status: string = stream.status
  stream.abort(new Error('soak: flood over'))
  return status === 'open' ? 'ok' : `session ${status} by the server`
}

/** Connection churn: dial, one version request, hang up; a fresh peer ID every 20 connections. */
async function connectionChurn (a: Attack): Promise<void> {
  let node = await a.node()
  for (let i = 1; !a.signal.aborted; i++) {
    const client = a.client(node)
    await a.count(async () => await client.version())
    await client.stop()
    await node.hangUp(a.target).catch(() => {})
    if (i % 20 === 0) {
      await a.drop(node)
      node = await a.node()
    }
  }
}

const ATTACKS: Record<AttackName, (a: Attack) => Promise<void>> = {
  allocationFlood, tinyShares, sybilReservations, advisoryFlood, stalledSessions, connectionChurn
}

/**
 * Runs every attack at once against `target` until `signal` aborts. An
 * attack whose loop throws (its setup failed) is counted under `crashed`
 * and started again after a second.
 */
export async function runAttacks (target: string, tallies: Tallies, signal: AbortSignal): Promise<void> {
  const addr = multiaddr(target)
  await Promise.all(Object.entries(ATTACKS).map(async ([name, attack]) => {
    const tally = tallies[name as AttackName]
    while (!signal.aborted) {
      const a = new Attack(addr, tally, signal)
      try {
        await attack(a)
      } catch (err) {
        const code = `crashed: ${describeError(err)}`
        tally.refused[code] = (tally.refused[code] ?? 0) + 1
        await sleep(1000, signal)
      } finally {
        await a.stopAll()
      }
    }
  }))
}

/**
 * The load: `concurrency` operations in flight until the deadline, each an
 * upload (`PUT /uri?club=…` on a writer's gateway) or a download
 * (`GET /uri/<cap>` on a reader's or writer's gateway, by hinted or plain
 * cap), with mixed sizes. Every download is checked against the uploaded
 * bytes' SHA-256; every failure is judged against the share files on the
 * disks of the servers that were live throughout it.
 */
import { createHash, randomBytes } from 'node:crypto'
import { holding, isLive, liveNames, liveThroughout, newHealth, storageIndexDir, type FileHealth } from './shares.js'
import type { Rand } from './rand.js'
import type { ScaleNode } from './topology.js'

export const SIZES: ReadonlyArray<{ bytes: number, weight: number }> = [
  { bytes: 1024, weight: 25 },
  { bytes: 32 * 1024, weight: 25 },
  { bytes: 256 * 1024, weight: 20 },
  { bytes: 1 << 20, weight: 20 },
  { bytes: 4 << 20, weight: 10 }
]
const PUT_SHARE = 0.3
const OP_TIMEOUT_MS = 180_000

export interface StoredFile extends FileHealth {
  hintedCap: string
  sha: string
  size: number
  club: number
  writer: string
  /** When the upload returned (ms since the epoch). */
  storedAt: number
}

export interface OpRecord {
  kind: 'put' | 'get'
  node: string
  size: number
  club: number
  /** Downloads: whether the cap carried the club hint. */
  via?: 'hinted' | 'plain'
  /** Downloads: ms since the file's upload returned (provider records are announced after it). */
  fileAgeMs?: number
  at: number
  ms: number
  /** Downloads: ms from sending the request to the first body byte. */
  ttfbMs?: number
  ok: boolean
  error?: string
  /**
   * Failures: whether the operation could have succeeded — for a download, k
   * distinct shares on servers live from its start to its failure; for an
   * upload, `happy` live servers in its club throughout.
   */
  couldHaveSucceeded?: boolean
  evidence?: string
}

export interface LoadInit {
  servers: ScaleNode[]
  writers: ScaleNode[]
  readers: ScaleNode[]
  clubIds: string[]
  k: number
  happy: number
  concurrency: number
  rand: Rand
  onStored: (f: StoredFile) => void
  log: (line: string) => void
}

export interface Load {
  files: StoredFile[]
  ops: OpRecord[]
  /** Runs until `deadline` (ms since the epoch); resolves once the operations in flight are done. */
  run: (deadline: number, signal: AbortSignal) => Promise<void>
}

function gateway (n: ScaleNode): string {
  const url = n.daemon?.info.gateway
  if (url === undefined) throw new Error(`${n.name} has no gateway`)
  return url
}

function pickSize (rand: Rand): number {
  const total = SIZES.reduce((a, s) => a + s.weight, 0)
  let r = rand.next() * total
  for (const s of SIZES) { if ((r -= s.weight) < 0) return s.bytes }
  return SIZES[0].bytes
}

function message (err: unknown): string {
  const e = err as any
  return String(e?.cause?.message ?? e?.message ?? e).slice(0, 300)
}

export function createLoad (init: LoadInit): Load {
  const { servers, rand } = init
  const files: StoredFile[] = []
  const ops: OpRecord[] = []
  const clubServers = (club: number): ScaleNode[] => servers.filter(s => s.club === club)

  async function put (signal: AbortSignal): Promise<void> {
    const writer = rand.pick(init.writers.filter(w => isLive(w) && w.joined.length > 0))
    const club = rand.pick(writer.joined)
    const size = pickSize(rand)
    const body = randomBytes(size)
    const liveAtStart = liveNames(clubServers(club))
    const rec: OpRecord = { kind: 'put', node: writer.name, size, club, at: Date.now(), ms: 0, ok: false }
    try {
      const res = await fetch(`${gateway(writer)}/uri?club=${init.clubIds[club]}&t=json`, {
        method: 'PUT', body, signal: AbortSignal.any([signal, AbortSignal.timeout(OP_TIMEOUT_MS)])
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`)
      const answer = JSON.parse(text) as { cap: string, hintedCap: string | null }
      const si = storageIndexDir(answer.cap)
      if (si === undefined) throw new Error(`a ${size}-byte upload came back as a literal cap`)
      const f: StoredFile = {
        ...newHealth(answer.cap, si), hintedCap: answer.hintedCap ?? answer.cap, sha: createHash('sha256').update(body).digest('hex'), size, club, writer: writer.name, storedAt: Date.now()
      }
      files.push(f)
      init.onStored(f)
      rec.ok = true
    } catch (err) {
      rec.error = message(err)
      const throughout = liveThroughout(clubServers(club), liveAtStart, rec.at).size
      rec.couldHaveSucceeded = throughout >= init.happy
      rec.evidence = `${throughout} servers of club ${club} live and never killed from start to failure (happy ${init.happy})`
    }
    rec.ms = Date.now() - rec.at
    ops.push(rec)
  }

  async function get (signal: AbortSignal): Promise<void> {
    const f = rand.pick(files)
    const node = rand.pick([...init.readers, ...init.writers].filter(isLive))
    const via = rand.next() < 0.5 ? 'hinted' : 'plain'
    const cap = via === 'hinted' ? f.hintedCap : f.cap
    const liveAtStart = liveNames(servers)
    const at = Date.now()
    const rec: OpRecord = { kind: 'get', node: node.name, size: f.size, club: f.club, via, at, fileAgeMs: at - f.storedAt, ms: 0, ok: false }
    try {
      const res = await fetch(`${gateway(node)}/uri/${encodeURIComponent(cap)}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(OP_TIMEOUT_MS)]) })
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`)
      const h = createHash('sha256')
      let bytes = 0
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (rec.ttfbMs === undefined) rec.ttfbMs = Date.now() - rec.at
        h.update(chunk)
        bytes += chunk.length
      }
      const sha = h.digest('hex')
      if (bytes !== f.size || sha !== f.sha) throw new Error(`got ${bytes} bytes with sha256 ${sha.slice(0, 16)}…, uploaded ${f.size} with ${f.sha.slice(0, 16)}…`)
      rec.ok = true
    } catch (err) {
      rec.error = message(err)
      const h = holding(servers, f.si, liveThroughout(servers, liveAtStart, rec.at))
      rec.couldHaveSucceeded = h.distinct >= init.k
      rec.evidence = `${h.distinct} distinct shares on ${h.holders} servers live and never killed from start to failure (k ${init.k})`
    }
    rec.ms = Date.now() - rec.at
    ops.push(rec)
  }

  async function run (deadline: number, signal: AbortSignal): Promise<void> {
    let last = Date.now()
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline && !signal.aborted) {
        // uploads first, until there is something to download
        if (files.length < init.writers.length || rand.next() < PUT_SHARE) await put(signal)
        else await get(signal)
        if (Date.now() - last > 15_000) {
          last = Date.now()
          const failed = ops.filter(o => !o.ok).length
          init.log(`   load: ${ops.length} operations (${failed} failed), ${files.length} files stored`)
        }
      }
    }
    await Promise.all(Array.from({ length: init.concurrency }, worker))
  }

  return { files, ops, run }
}

/**
 * Storage protocol throughput against a raw libp2p stream, both measured in
 * this run over the same connection (loopback), 64 MiB each, best of 3:
 *   raw:        server -> client, send() + drain in 1 MiB chunks, client counts bytes
 *   readStream: StorageClient.readStream of a stored 64 MiB share (buffers as delivered)
 *   read:       StorageClient.read of the same share into one contiguous buffer
 *   upload:     StorageClient.write + close of a 64 MiB share
 * Goals: read >= 0.8x raw, upload >= 0.3x raw.
 *
 * Run: npx tsx bench/protocols-throughput.ts            (server in a child process)
 *      npx tsx bench/protocols-throughput.ts --one-process
 */
import '../src/shim.js'
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { waitDrain } from '../src/protocols/framing/index.js'
import { StorageClient, registerStorageProtocols } from '../src/protocols/index.js'
import { createStorageServer } from '../src/storage/index.js'
import type { Libp2p } from '@libp2p/interface'

const SIZE = 64 * 2 ** 20
const RUNS = 3
const RAW = '/bench/raw/1.0.0'

async function node (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
  })
}

/** A storage server node that also sends SIZE raw bytes on every RAW stream. */
async function startServer (): Promise<{ addr: Multiaddr, stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-bench-'))
  const server = await createStorageServer({ dir, gcIntervalMs: 0, freeQuota: 2 ** 40 })
  const n = await node()
  await registerStorageProtocols(n, server)
  const chunk = randomBytes(2 ** 20)
  await n.handle(RAW, async stream => {
    for (let sent = 0; sent < SIZE; sent += chunk.byteLength) {
      if (!stream.send(chunk)) await waitDrain(stream)
    }
    await stream.close()
  })
  return {
    addr: n.getMultiaddrs()[0],
    stop: async () => {
      await n.stop()
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

async function rawRun (client: Libp2p, addr: Multiaddr): Promise<number> {
  const t0 = performance.now()
  const stream = await client.dialProtocol(addr, RAW)
  let got = 0
  await new Promise<void>((resolve, reject) => {
    stream.addEventListener('message', evt => { got += evt.data.byteLength; if (got >= SIZE) resolve() })
    stream.addEventListener('close', evt => { if (got < SIZE) reject(evt.error ?? new Error('raw stream closed early')) })
  })
  const ms = performance.now() - t0
  await stream.close()
  return ms
}

const mibps = (ms: number): string => (SIZE / 2 ** 20 / (ms / 1000)).toFixed(0)

async function measure (addr: Multiaddr, label: string): Promise<void> {
  const client = await node()
  const storage = new StorageClient(client, addr)
  const data = randomBytes(SIZE)
  const best = { raw: Infinity, read: Infinity, stream: Infinity, upload: Infinity }
  try {
    for (let run = 0; run < RUNS; run++) {
      best.raw = Math.min(best.raw, await rawRun(client, addr))

      const si = randomBytes(16)
      let t0 = performance.now()
      await storage.allocate(si, [0], SIZE, { renewSecret: randomBytes(32), cancelSecret: randomBytes(32) })
      await storage.write(si, 0, 0, data)
      await storage.close(si, 0)
      best.upload = Math.min(best.upload, performance.now() - t0)

      t0 = performance.now()
      let streamed = 0
      for await (const piece of storage.readStream(si, 0, 0, SIZE)) streamed += piece.byteLength
      best.stream = Math.min(best.stream, performance.now() - t0)
      if (streamed !== SIZE) throw new Error('short stream')

      t0 = performance.now()
      const back = await storage.read(si, 0, 0, SIZE)
      best.read = Math.min(best.read, performance.now() - t0)
      if (back.byteLength !== SIZE) throw new Error('short read')
    }
  } finally {
    await storage.stop()
    await client.stop()
  }
  console.log(`64 MiB, best of ${RUNS}, ${label}, loopback`)
  console.log(`  raw stream  ${mibps(best.raw)} MiB/s`)
  console.log(`  readStream  ${mibps(best.stream)} MiB/s  (${(best.raw / best.stream).toFixed(2)}x raw)`)
  console.log(`  read        ${mibps(best.read)} MiB/s  (${(best.raw / best.read).toFixed(2)}x raw; includes filling one new 64 MiB buffer)`)
  console.log(`  upload      ${mibps(best.upload)} MiB/s  (${(best.raw / best.upload).toFixed(2)}x raw)`)
}

if (process.argv.includes('--serve')) {
  const { addr } = await startServer()
  process.send?.(addr.toString())
} else if (process.argv.includes('--one-process')) {
  const server = await startServer()
  try { await measure(server.addr, 'one process') } finally { await server.stop() }
} else {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx', ...(process.env.PROF_DIR != null ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PROF_DIR] : [])] })
  try {
    const addr = await new Promise<string>((resolve, reject) => {
      child.once('message', m => { if (typeof m === 'string') resolve(m); else reject(new Error(`server sent ${JSON.stringify(m)}, not its address`)) })
      child.once('exit', code => { reject(new Error(`server exited with ${code}`)) })
    })
    await measure(multiaddr(addr), 'server in a child process')
  } finally {
    child.kill()
  }
}

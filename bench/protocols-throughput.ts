/**
 * Storage protocol throughput against a raw libp2p stream, both measured in
 * this run on the same pair of nodes (one process, loopback):
 *   raw:    64 MiB with send()+drain in 1 MiB chunks, receiver counts bytes
 *   readStream: StorageClient.readStream of a stored 64 MiB share (no joining)
 *   read:   StorageClient.read of the same share into one contiguous buffer
 *   upload: StorageClient.write + close of a 64 MiB share
 * Prints MiB/s and the ratios (goal: read >= 0.8x raw, upload >= 0.3x raw).
 * Run: npx tsx bench/protocols-throughput.ts
 */
import '../src/shim.js'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { waitDrain } from '../src/protocols/framing/index.js'
import { StorageClient, registerStorageProtocols } from '../src/protocols/index.js'
import { createStorageServer } from '../src/storage/index.js'
import type { Libp2p } from '@libp2p/interface'

const SIZE = 64 * 2 ** 20
const RUNS = 3

async function node (): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] }
  })
}

async function rawRun (from: Libp2p, to: Libp2p): Promise<number> {
  const stream = await from.dialProtocol(to.getMultiaddrs()[0], '/bench/raw/1.0.0')
  const chunk = randomBytes(2 ** 20)
  const done = new Promise<void>(resolve => { stream.addEventListener('message', () => { resolve() }, { once: true }) })
  const t0 = performance.now()
  for (let sent = 0; sent < SIZE; sent += chunk.byteLength) {
    if (!stream.send(chunk)) await waitDrain(stream)
  }
  await done
  const ms = performance.now() - t0
  await stream.close()
  return ms
}

const mibps = (ms: number): number => SIZE / 2 ** 20 / (ms / 1000)

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lafs-bench-'))
  const server = await createStorageServer({ dir, gcIntervalMs: 0, freeQuota: 2 ** 40 })
  const a = await node()
  const b = await node()
  try {
    await registerStorageProtocols(b, server)
    // raw receiver on the server node, data flowing server -> client like a download
    await a.handle('/bench/raw/1.0.0', async stream => {
      let got = 0
      stream.addEventListener('message', evt => {
        got += evt.data.byteLength
        if (got === SIZE) stream.send(Uint8Array.of(1))
      })
    })
    const client = new StorageClient(a, b.getMultiaddrs()[0])
    const data = randomBytes(SIZE)
    const best = { raw: Infinity, read: Infinity, stream: Infinity, upload: Infinity }
    for (let run = 0; run < RUNS; run++) {
      best.raw = Math.min(best.raw, await rawRun(b, a))

      const si = randomBytes(16)
      let t0 = performance.now()
      await client.allocate(si, [0], SIZE, { renewSecret: randomBytes(32), cancelSecret: randomBytes(32) })
      await client.write(si, 0, 0, data)
      await client.close(si, 0)
      best.upload = Math.min(best.upload, performance.now() - t0)

      t0 = performance.now()
      const back = await client.read(si, 0, 0, SIZE)
      best.read = Math.min(best.read, performance.now() - t0)
      if (back.byteLength !== SIZE) throw new Error('short read')

      t0 = performance.now()
      let streamed = 0
      for await (const piece of client.readStream(si, 0, 0, SIZE)) streamed += piece.byteLength
      best.stream = Math.min(best.stream, performance.now() - t0)
      if (streamed !== SIZE) throw new Error('short stream')
    }
    await client.stop()
    console.log(`64 MiB, best of ${RUNS}, one process, loopback`)
    console.log(`  raw stream  ${mibps(best.raw).toFixed(0)} MiB/s`)
    console.log(`  readStream  ${mibps(best.stream).toFixed(0)} MiB/s  (${(best.raw / best.stream).toFixed(2)}x raw)`)
    console.log(`  read        ${mibps(best.read).toFixed(0)} MiB/s  (${(best.raw / best.read).toFixed(2)}x raw; includes copying into one new 64 MiB buffer)`)
    console.log(`  upload      ${mibps(best.upload).toFixed(0)} MiB/s  (${(best.raw / best.upload).toFixed(2)}x raw)`)
  } finally {
    await a.stop()
    await b.stop()
    await server.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()

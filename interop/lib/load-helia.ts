/**
 * Loads Helia 7 on Node 20.
 *
 * `helia` pulls in `@helia/libp2p`, whose default config imports `@libp2p/http`,
 * which requires undici 8 (declared for Node >= 22.19). undici touches two
 * Node 22 APIs while its modules load, so on Node 20 `import('helia')` throws
 * before any Helia code runs:
 *   - `zlib.createZstdDecompress.bind(...)`  → "Cannot read properties of undefined (reading 'bind')"
 *   - `worker_threads.markAsUncloneable(this)` (new CacheStorage at load) → "is not a function"
 * Neither is used afterwards by what the interop suite runs (no HTTP client,
 * no zstd bodies, no structured cloning of undici objects). So the loader lends
 * undici inert stand-ins for the duration of the import only and takes them
 * back, leaving Node's built-ins untouched for every other spec in the process.
 * On Node 22+ the real functions exist and nothing is lent.
 */
import { createRequire } from 'node:module'
import type * as Helia from 'helia'
import type * as HeliaLibp2p from '@helia/libp2p'
import type * as HeliaBitswap from '@helia/bitswap'
import type * as HeliaIpns from '@helia/ipns'

const require = createRequire(import.meta.url)

export interface HeliaModules {
  helia: typeof Helia
  libp2p: typeof HeliaLibp2p
  bitswap: typeof HeliaBitswap
  ipns: typeof HeliaIpns
}

let loading: Promise<HeliaModules> | undefined

/** The Helia modules the interop suite uses; imported once per process. */
export async function loadHelia (): Promise<HeliaModules> {
  loading ??= importWithStandIns()
  return await loading
}

/** Which built-ins were missing and lent for the import (empty on Node 22+). */
export const lentForImport: string[] = []

async function importWithStandIns (): Promise<HeliaModules> {
  const lent = lendMissing([
    [require('node:zlib'), 'zlib', 'createZstdDecompress', () => { throw new Error('zstd decompression needs Node 22.15+') }],
    [require('node:zlib'), 'zlib', 'createZstdCompress', () => { throw new Error('zstd compression needs Node 22.15+') }],
    [require('node:worker_threads'), 'worker_threads', 'markAsUncloneable', () => {}]
  ])
  try {
    const [helia, libp2p, bitswap, ipns] = await Promise.all([
      import('helia'), import('@helia/libp2p'), import('@helia/bitswap'), import('@helia/ipns')
    ])
    return { helia, libp2p, bitswap, ipns }
  } finally {
    for (const undo of lent) undo()
  }
}

type Lend = [target: Record<string, unknown>, moduleName: string, name: string, standIn: (...args: any[]) => unknown]

function lendMissing (lends: Lend[]): Array<() => void> {
  const undo: Array<() => void> = []
  for (const [target, moduleName, name, standIn] of lends) {
    if (typeof target[name] === 'function') continue
    target[name] = standIn
    lentForImport.push(`${moduleName}.${name}`)
    undo.push(() => { delete target[name] })
  }
  return undo
}

import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createStorageServer, type LeaseSecrets, type StorageServer, type StorageServerOptions } from '../../src/storage/index.js'

export const DAY = 24 * 60 * 60 * 1000

/** A clock the test moves by hand; the server reads it through the `now` option. */
export class Clock {
  constructor (public ms = Date.UTC(2030, 0, 1)) {}
  readonly now = (): number => this.ms
  advance (ms: number): void { this.ms += ms }
}

export function storageIndex (): Uint8Array {
  return new Uint8Array(randomBytes(16))
}

export function leaseSecrets (): LeaseSecrets {
  return { renewSecret: new Uint8Array(randomBytes(32)), cancelSecret: new Uint8Array(randomBytes(32)) }
}

export function bytes (length: number): Uint8Array {
  return new Uint8Array(randomBytes(length))
}

/** Temp folders and servers made by a spec, cleaned after each test. */
export class Harness {
  private readonly dirs: string[] = []
  private readonly servers: StorageServer[] = []

  async tempDir (): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-storage-'))
    this.dirs.push(dir)
    return dir
  }

  async server (opts: Partial<StorageServerOptions> = {}): Promise<StorageServer> {
    const server = await createStorageServer({ gcIntervalMs: 0, ...opts, dir: opts.dir ?? await this.tempDir() })
    this.servers.push(server)
    return server
  }

  async cleanup (): Promise<void> {
    for (const s of this.servers.splice(0)) await s.stop()
    for (const d of this.dirs.splice(0)) await rm(d, { recursive: true, force: true })
  }
}

/** Allocate, write in one piece and close: a stored share. */
export async function store (server: StorageServer, account: string, si: Uint8Array, shareNumber: number, data: Uint8Array, lease = leaseSecrets()): Promise<void> {
  const { allocated } = await server.allocate(account, si, [shareNumber], data.length, lease)
  if (!allocated.includes(shareNumber)) throw new Error(`share ${shareNumber} was not allocated`)
  await server.write(account, si, shareNumber, 0, data)
  await server.closeShare(account, si, shareNumber)
}

/** Poll `check` until it holds or the deadline passes. */
export async function waitFor (check: () => boolean, deadlineMs: number, what: string): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AlreadyInitializedError, ConfigError, KeyFileError, MissingDataDirError, dataDirPaths, initDataDir, readIdentity
} from '../../src/node/index.js'
import { openDataDir } from '../../src/node/data-dir.js'

async function mode (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

describe('node data folder', () => {
  let base: string
  beforeEach(async () => { base = await mkdtemp(join(tmpdir(), 'lafs-datadir-')) })
  afterEach(async () => { await rm(base, { recursive: true, force: true }) })

  it('init creates the layout with private modes', async () => {
    const dir = join(base, 'node')
    const res = await initDataDir(dir)
    const p = dataDirPaths(dir)
    assert.equal(await mode(dir), 0o700)
    assert.equal(await mode(p.privateDir), 0o700)
    for (const f of [p.identityKey, p.leaseSecret, join(dir, 'private', 'convergence')]) {
      assert.equal(await mode(f), 0o600, f)
    }
    const identity = await readFile(p.identityKey)
    assert.equal(identity.length, 68) // protobuf: 08 01 12 40 + 64-byte Ed25519 key
    assert.deepEqual([...identity.subarray(0, 4)], [0x08, 0x01, 0x12, 0x40])
    // Tahoe-style secrets: base32 text of 32 bytes, then a newline
    for (const f of [p.leaseSecret, join(dir, 'private', 'convergence')]) {
      const text = await readFile(f, 'utf8')
      assert.match(text, /^[a-z2-7]{52}\n$/)
    }
    const written = JSON.parse(await readFile(p.config, 'utf8'))
    assert.deepEqual(written, res.config)
    assert.equal(written.gateway.port, 3456)
    assert.match(res.peerId, /^12D3KooW/)
  })

  it('open reads back the same identity and secrets', async () => {
    const dir = join(base, 'node')
    const res = await initDataDir(dir, { config: { bootstrap: [], storage: { capacity: '1GB' } } })
    const a = await openDataDir(dir)
    const b = await openDataDir(dir)
    assert.equal(a.peerId, res.peerId)
    assert.equal(b.peerId, res.peerId)
    assert.equal(a.convergenceSecret.length, 32)
    assert.deepEqual(a.convergenceSecret, b.convergenceSecret)
    assert.deepEqual(a.leaseSecret, b.leaseSecret)
    assert.notDeepEqual(a.leaseSecret, a.convergenceSecret)
    assert.equal(a.config.storage.capacity, 1e9)
    assert.deepEqual(a.config.bootstrap, [])
    assert.equal((await readIdentity(a.paths.identityKey))!.publicKey.toString(), res.peerId)
  })

  it('refuses to init twice, and refuses bad init options naming the key', async () => {
    const dir = join(base, 'node')
    await initDataDir(dir)
    await assert.rejects(initDataDir(dir), (err: any) => err instanceof AlreadyInitializedError && err.code === 'ERR_ALREADY_INITIALIZED')
    await assert.rejects(initDataDir(join(base, 'other'), { config: { gateway: { port: 'x' as any } } }),
      (err: any) => err instanceof ConfigError && err.key === 'gateway.port')
  })

  it('opening a missing folder tells the user to run lafs-club init', async () => {
    await assert.rejects(openDataDir(join(base, 'missing')), (err: any) => {
      assert.ok(err instanceof MissingDataDirError)
      assert.equal(err.code, 'ERR_NO_DATA_DIR')
      assert.match(err.message, /lafs-club init/)
      assert.ok(err.message.includes(join(base, 'missing')))
      return true
    })
  })

  it('a damaged identity key is reported, not silently replaced', async () => {
    const dir = join(base, 'node')
    await initDataDir(dir)
    await writeFile(dataDirPaths(dir).identityKey, 'garbage')
    await assert.rejects(openDataDir(dir), (err: any) => err instanceof KeyFileError && err.code === 'ERR_BAD_KEY_FILE')
  })
})

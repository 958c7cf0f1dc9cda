import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ConfigError, DEFAULT_CONFIG, IPFS_BOOTSTRAP_PEERS, defaultConfig, loadConfigFile, mergeConfig, parseSize, MissingDataDirError
} from '../../src/node/index.js'
import { updateConfigFile } from '../../src/node/config-file.js'

function rejects (input: unknown, key: string, words: RegExp): void {
  assert.throws(() => mergeConfig(defaultConfig(), input), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_INVALID_CONFIG')
    assert.equal(err.key, key)
    assert.ok(err.message.includes(`"${key}"`), `message names the key: ${err.message}`)
    assert.match(err.message, words)
    return true
  })
}

describe('node config', () => {
  it('defaults: public IPFS bootstrap, IPFS DHT, gateway on loopback:3456, polite connection limit', () => {
    const c = defaultConfig()
    assert.deepEqual(c.listen, ['/ip4/0.0.0.0/tcp/4001', '/ip4/0.0.0.0/tcp/4002/ws'])
    assert.deepEqual(c.bootstrap, [...IPFS_BOOTSTRAP_PEERS])
    assert.ok(c.bootstrap.some(a => a.startsWith('/dnsaddr/bootstrap.libp2p.io/p2p/')))
    assert.equal(c.dht.protocol, '/ipfs/kad/1.0.0')
    assert.deepEqual(c.gateway, { enabled: true, host: '127.0.0.1', port: 3456, inlineActiveContent: false })
    assert.deepEqual(c.client, { k: 3, happy: 7, n: 10, maxSegmentSize: 1048576, club: null, helper: null, spreadDownloads: true })
    assert.deepEqual(c.helper, { enabled: false, spoolBytes: 10 * 2 ** 30, clientSpoolBytes: 2 * 2 ** 30, maxUploads: 8, partialExpirySeconds: 86_400, clients: null })
    assert.ok(c.connections.maxConnections <= 200)
    assert.equal(c.storage.enabled, true)
    // defaultConfig() hands out copies
    c.listen.push('/ip4/1.2.3.4/tcp/1')
    assert.equal(DEFAULT_CONFIG.listen.length, 2)
  })

  it('merges a partial config over the defaults, keeping the keys not given', () => {
    const c = mergeConfig(defaultConfig(), { bootstrap: [], storage: { capacity: '50GB' }, dht: { clientMode: 'server' } })
    assert.deepEqual(c.bootstrap, [])
    assert.equal(c.storage.capacity, 50e9)
    assert.equal(c.storage.enabled, true)
    assert.equal(c.dht.clientMode, 'server')
    assert.equal(c.dht.protocol, '/ipfs/kad/1.0.0')
  })

  it('parses sizes like Tahoe: decimal and binary units', () => {
    assert.equal(parseSize('1000'), 1000)
    assert.equal(parseSize('50GB'), 50_000_000_000)
    assert.equal(parseSize('50 gb'), 50_000_000_000)
    assert.equal(parseSize('2TiB'), 2 * 2 ** 40)
    assert.equal(parseSize('1.5MiB'), 1.5 * 2 ** 20)
    assert.equal(parseSize('10k'), 10_000)
    assert.equal(parseSize('lots'), undefined)
    assert.equal(parseSize('5XB'), undefined)
  })

  it('names unknown keys, top level and nested', () => {
    rejects({ listne: [] }, 'listne', /not a known key/)
    rejects({ dht: { protocl: '/x' } }, 'dht.protocl', /not a known key.*protocol/)
  })

  it('names keys of the wrong type', () => {
    rejects({ listen: '/ip4/0.0.0.0/tcp/1' }, 'listen', /array of multiaddr/)
    rejects({ storage: { enabled: 'yes' } }, 'storage.enabled', /true or false/)
    rejects({ gateway: 'off' }, 'gateway', /must be an object/)
    rejects({ storage: { capacity: 'lots' } }, 'storage.capacity', /byte count/)
    rejects({ client: { k: 2.5 } }, 'client.k', /whole number/)
  })

  it('names keys out of range or not among the choices', () => {
    rejects({ gateway: { port: 70000 } }, 'gateway.port', /between 0 and 65535/)
    rejects({ connections: { maxConnections: 0 } }, 'connections.maxConnections', /between 1/)
    rejects({ dht: { clientMode: 'servr' } }, 'dht.clientMode', /one of "auto", "client", "server"/)
    rejects({ relay: { server: 'yes' } }, 'relay.server', /one of/)
    rejects({ storage: { leaseDays: 0 } }, 'storage.leaseDays', /between 1/)
  })

  it('checks multiaddrs, bootstrap peer ids and payment method URLs, naming the entry', () => {
    rejects({ listen: ['/ip4/0.0.0.0/tcp/1', 'tcp://x:1'] }, 'listen[1]', /not a valid multiaddr/)
    rejects({ bootstrap: ['/ip4/127.0.0.1/tcp/4001'] }, 'bootstrap[0]', /\/p2p\/<peer id>/)
    rejects({ storage: { paymentMethods: [{ name: 'x', url: 'not a url', explanation: 'e' }] } }, 'storage.paymentMethods[0].url', /absolute URL/)
    rejects({ convergenceSecretFile: '../elsewhere' }, 'convergenceSecretFile', /inside the data folder/)
    rejects({ client: { club: 'my club' } }, 'client.club', /club ID/)
  })

  it('updateConfigFile changes one key and keeps what the user wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-config-'))
    const path = join(dir, 'config.json')
    await writeFile(path, JSON.stringify({ bootstrap: [], client: { k: 2, happy: 2, n: 4 } }))
    const clubId = 'k51qzi5uqu5dmb9jgqvsvyqjp1b8ik9x96naekxnmbyskxkh9juwipej161kb3'
    const config = await updateConfigFile(path, dir, { client: { club: clubId } })
    assert.equal(config.client.club, clubId)
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { bootstrap: [], client: { k: 2, happy: 2, n: 4, club: clubId } })
    await assert.rejects(updateConfigFile(path, dir, { client: { club: 'nope' } }), (err: Error & { key?: string }) => err.key === 'client.club')
    assert.equal(JSON.parse(await readFile(path, 'utf8')).client.club, clubId, 'a refused change leaves the file alone')
  })

  it('storage limits: defaults, sizes for the free budget, whole numbers in range (issue #12)', () => {
    const d = defaultConfig().storage
    assert.equal(d.freeBudget, null)
    assert.deepEqual([d.maxUploads, d.freeMaxUploads, d.grantedMaxUploads, d.reservationTimeoutSeconds, d.disconnectGraceSeconds], [8192, 256, 4096, 120, 300])
    const c = mergeConfig(defaultConfig(), { storage: { freeBudget: '100GiB', freeMaxUploads: 32, advisoryRetentionDays: 7 } })
    assert.equal(c.storage.freeBudget, 100 * 2 ** 30)
    assert.equal(c.storage.freeMaxUploads, 32)
    assert.equal(c.storage.advisoryRetentionDays, 7)
    rejects({ storage: { maxUploads: 0 } }, 'storage.maxUploads', /between 1 and/)
    rejects({ storage: { freeMaxShares: 1.5 } }, 'storage.freeMaxShares', /whole number/)
    rejects({ storage: { freeBudget: 'lots' } }, 'storage.freeBudget', /byte count/)
    rejects({ storage: { reservationTimeoutSeconds: 0 } }, 'storage.reservationTimeoutSeconds', /between 1 and/)
  })

  it('storage protocol memory limits: defaults, sizes, ranges, session budget within the total (issue #12)', () => {
    const d = defaultConfig().storage
    assert.deepEqual([d.writeBudget, d.sessionWriteBudget, d.sessionsPerConnection], [64 * 2 ** 20, 5 * 2 ** 20, 4])
    const c = mergeConfig(defaultConfig(), { storage: { writeBudget: '256MiB', sessionWriteBudget: '8MiB', sessionsPerConnection: 2 } })
    assert.deepEqual([c.storage.writeBudget, c.storage.sessionWriteBudget, c.storage.sessionsPerConnection], [256 * 2 ** 20, 8 * 2 ** 20, 2])
    rejects({ storage: { writeBudget: '100KiB' } }, 'storage.writeBudget', /between 1048576 and 4294967296 bytes/)
    rejects({ storage: { sessionWriteBudget: 'lots' } }, 'storage.sessionWriteBudget', /byte count/)
    rejects({ storage: { sessionsPerConnection: 0 } }, 'storage.sessionsPerConnection', /between 1 and 64/)
    rejects({ storage: { sessionsPerConnection: 2.5 } }, 'storage.sessionsPerConnection', /whole number/)
    rejects({ storage: { writeBudget: '4MiB' } }, 'storage.sessionWriteBudget', /must not exceed storage.writeBudget/)
  })

  it('checks rules that involve several keys', () => {
    rejects({ client: { k: 11 } }, 'client.k', /must not exceed client.n/)
    rejects({ client: { happy: 2 } }, 'client.happy', /between client.k and client.n/)
  })

  it('reports invalid JSON with the file path, and a missing file as a missing data folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-config-'))
    const path = join(dir, 'config.json')
    await writeFile(path, '{ "listen": [ }')
    await assert.rejects(loadConfigFile(path, dir), (err: any) => {
      assert.ok(err instanceof ConfigError)
      assert.ok(err.message.startsWith(path), err.message)
      assert.match(err.message, /not valid JSON/)
      return true
    })
    await writeFile(path, JSON.stringify({ gateway: { port: -1 } }))
    await assert.rejects(loadConfigFile(path, dir), (err: any) => err instanceof ConfigError && err.key === 'gateway.port' && err.message.startsWith(path))
    await assert.rejects(loadConfigFile(join(dir, 'nope', 'config.json'), join(dir, 'nope')), MissingDataDirError)
  })

  it('helper: client.helper is null, "club" or a multiaddr with its peer ID; the helper section takes sizes', () => {
    const addr = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWLrWPvYRbH2wnVK1UtsoAzmaw1Ea9NmkEMpUSKRhuN1Zw'
    assert.equal(mergeConfig(defaultConfig(), { client: { helper: addr } }).client.helper, addr)
    assert.equal(mergeConfig(defaultConfig(), { client: { helper: 'club' } }).client.helper, 'club')
    rejects({ client: { helper: '/ip4/127.0.0.1/tcp/4001' } }, 'client.helper', /p2p/)
    rejects({ client: { helper: '/ip4/127.0.0.1/tcp/4001/p2p/QmNotAPeer' } }, 'client.helper', /not a peer ID/)
    rejects({ helper: { spoolBytes: 0 } }, 'helper.spoolBytes', /at least 1 byte/)
    const c = mergeConfig(defaultConfig(), { helper: { enabled: true, spoolBytes: '1 GiB', clientSpoolBytes: '100 MiB' } })
    assert.equal(c.helper.enabled, true)
    assert.equal(c.helper.spoolBytes, 2 ** 30)
    assert.equal(c.helper.clientSpoolBytes, 100 * 2 ** 20)
    rejects({ helper: { maxUploads: 0 } }, 'helper.maxUploads', /at least|>=|between|from/)
    const peer = '12D3KooWLrWPvYRbH2wnVK1UtsoAzmaw1Ea9NmkEMpUSKRhuN1Zw'
    assert.deepEqual(mergeConfig(defaultConfig(), { helper: { clients: [peer] } }).helper.clients, [peer])
    rejects({ helper: { clients: ['not-a-peer'] } }, 'helper.clients[0]', /peer ID/)
    rejects({ helper: { clients: peer } }, 'helper.clients', /list of peer IDs/)
  })
})

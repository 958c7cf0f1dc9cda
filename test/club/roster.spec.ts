import assert from 'node:assert/strict'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  checkRoster, clubIdFromPublicKey, ClubKeyStore, decodeInvite, encodeInvite, RosterCache, signRoster,
  verifyRosterRecord, normalizeClubId, type Roster
} from '../../src/club/index.js'
import { MAX_IPNS_RECORD_SIZE } from '../../src/dht/index.js'
import { rawRecord, wireRoster } from './helpers.js'

const HOUR = 3_600_000
const PEER = '12D3KooWGRUVh2rjN3BUyUPbJqcnhKrbhgzBKCXxAC9y3gHDMYHm'

function roster (): Roster {
  return {
    name: 'Neighbours',
    description: 'home servers on our street',
    policy: 'open',
    servers: [{ peerId: PEER, multiaddrs: ['/ip4/192.0.2.1/tcp/4001'], capacity: 5e11 }],
    updatedAt: 1_700_000_000_000
  }
}

async function rosterWithServers (n: number): Promise<Roster> {
  const servers = []
  for (let i = 0; i < n; i++) {
    const key = await generateKeyPair('Ed25519')
    servers.push({ peerId: peerIdFromPrivateKey(key).toString(), multiaddrs: [`/ip4/192.0.2.${i % 250}/tcp/${4000 + i}`, `/ip6/2001:db8::${i.toString(16)}/udp/4001/quic-v1`], capacity: 10 ** 12 })
  }
  return { ...roster(), servers }
}

describe('club: roster records, keys, cache and invites (no network)', function () {
  let dir: string
  before(async function () { dir = await mkdtemp(join(tmpdir(), 'lafs-club-')) })
  after(async function () { await rm(dir, { recursive: true, force: true }) })

  it('round-trips a roster through a signed record', async function () {
    const key = await generateKeyPair('Ed25519')
    const clubId = clubIdFromPublicKey(key.publicKey)
    assert.match(clubId, /^k51qzi5uqu5d/)
    const record = await signRoster(key, roster(), 3n)
    const signed = await verifyRosterRecord(clubId, record)
    assert.equal(signed.sequence, 3n)
    assert.deepEqual(signed.roster, roster())
    assert.ok(signed.expiresAt > Date.now() + 47 * HOUR)
    assert.equal(signed.ttlMs, HOUR)
    // the peer-id spelling of the same key names the same club
    assert.equal(normalizeClubId(peerIdFromPrivateKey(key).toString()), clubId)
  })

  it('refuses records signed by another key, naming another club, expired, oversized or with a bad roster', async function () {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const clubId = clubIdFromPublicKey(key.publicKey)
    const otherId = clubIdFromPublicKey(other.publicKey)
    const later = Date.now() + HOUR
    const cases: Array<[string, Uint8Array, string]> = [
      ['another key', await signRoster(other, roster(), 1), 'ERR_ROSTER_BAD_SIGNATURE'],
      ['another club named', await rawRecord(key, { value: `/lafs-club/${otherId}`, sequence: 1, validUntil: later, rosterWire: wireRoster() }), 'ERR_ROSTER_NAME_MISMATCH'],
      ['expired', await rawRecord(key, { value: `/lafs-club/${clubId}`, sequence: 1, validUntil: Date.now() - 1000, rosterWire: wireRoster() }), 'ERR_ROSTER_EXPIRED'],
      ['oversized', await rawRecord(key, { value: `/lafs-club/${clubId}`, sequence: 1, validUntil: later, rosterWire: wireRoster(), padding: 11 * 1024 }), 'ERR_ROSTER_TOO_LARGE'],
      ['bad policy', await rawRecord(key, { value: `/lafs-club/${clubId}`, sequence: 1, validUntil: later, rosterWire: wireRoster({ policy: 'anyone' }) }), 'ERR_INVALID_ROSTER'],
      ['no roster', await rawRecord(key, { value: `/lafs-club/${clubId}`, sequence: 1, validUntil: later }), 'ERR_INVALID_ROSTER'],
      ['not IPNS', new Uint8Array([1, 2, 3]), 'ERR_INVALID_ROSTER_RECORD']
    ]
    for (const [name, record, code] of cases) {
      await assert.rejects(verifyRosterRecord(clubId, record), (err: any) => { assert.equal(err.code, code, `${name}: ${err}`); return true })
    }
    await assert.rejects(verifyRosterRecord('k51notaclub', await signRoster(key, roster(), 1)), { code: 'ERR_INVALID_CLUB_ID' })
  })

  it('fits about a hundred servers in the 10 KiB limit and refuses to sign more', async function () {
    const key = await generateKeyPair('Ed25519')
    const big = await rosterWithServers(60)
    const record = await signRoster(key, big, 1)
    console.log(`      60 servers (2 addresses, capacity each): ${record.byteLength} bytes`)
    assert.ok(record.byteLength <= MAX_IPNS_RECORD_SIZE, `${record.byteLength} bytes for 60 servers with 2 addresses each`)
    await assert.rejects(signRoster(key, await rosterWithServers(120), 1), { code: 'ERR_ROSTER_TOO_LARGE' })
  })

  it('checks roster fields', function () {
    assert.throws(() => checkRoster({ ...roster(), name: '' }), { code: 'ERR_INVALID_ROSTER' })
    assert.throws(() => checkRoster({ ...roster(), policy: 'x' as any }), { code: 'ERR_INVALID_ROSTER' })
    assert.throws(() => checkRoster({ ...roster(), servers: [{ peerId: 'nope', multiaddrs: [] }] }), { code: 'ERR_INVALID_ROSTER' })
    assert.throws(() => checkRoster({ ...roster(), servers: [{ peerId: PEER, multiaddrs: [] }, { peerId: PEER, multiaddrs: [] }] }), { code: 'ERR_INVALID_ROSTER' })
    assert.throws(() => checkRoster({ ...roster(), servers: [{ peerId: PEER, multiaddrs: ['not an address'] }] }), { code: 'ERR_INVALID_ROSTER' })
    const stripped = checkRoster({ ...roster(), servers: [{ peerId: PEER, multiaddrs: [`/ip4/192.0.2.1/tcp/1/p2p/${PEER}`] }] })
    assert.deepEqual(stripped.servers[0].multiaddrs, ['/ip4/192.0.2.1/tcp/1'])
  })

  it('saves club keys as <dataDir>/clubs/<clubId>.key with mode 0600 and never overwrites one', async function () {
    const store = new ClubKeyStore(dir)
    const key = await generateKeyPair('Ed25519')
    const clubId = await store.save(key)
    const path = join(dir, 'clubs', `${clubId}.key`)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.ok((await store.load(clubId))!.equals(key))
    assert.deepEqual(await store.list(), [clubId])
    await assert.rejects(store.save(key), { code: 'EEXIST' })
    assert.equal(await store.load(clubIdFromPublicKey((await generateKeyPair('Ed25519')).publicKey)), undefined)
  })

  it('the roster cache persists and refuses a lower sequence', async function () {
    const key = await generateKeyPair('Ed25519')
    const clubId = clubIdFromPublicKey(key.publicKey)
    const cache = new RosterCache(dir)
    const v2 = await verifyRosterRecord(clubId, await signRoster(key, roster(), 2))
    const v1 = await verifyRosterRecord(clubId, await signRoster(key, roster(), 1))
    assert.equal(await cache.put(v2), 'stored')
    await assert.rejects(cache.put(v1), { code: 'ERR_ROSTER_STALE' })
    const reopened = new RosterCache(dir)
    assert.equal((await reopened.get(clubId))!.sequence, 2n)
    await assert.rejects(reopened.put(v1), { code: 'ERR_ROSTER_STALE' })
    assert.equal(await reopened.put(v2), 'unchanged')
  })

  it('encodes and decodes invites, and refuses damaged ones', async function () {
    const key = await generateKeyPair('Ed25519')
    const clubId = clubIdFromPublicKey(key.publicKey)
    const addr = multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`)
    const invite = encodeInvite({ clubId, bootstrap: [addr] })
    assert.match(invite, /^lafs-club-invite:[A-Za-z0-9_-]+$/)
    const decoded = decodeInvite(invite)
    assert.equal(decoded.clubId, clubId)
    assert.equal(decoded.bootstrap[0].toString(), addr.toString())
    assert.throws(() => decodeInvite('lafs-club-invite:!!!'), { code: 'ERR_INVALID_INVITE' })
    assert.throws(() => decodeInvite(invite.slice(0, -6)), { code: 'ERR_INVALID_INVITE' })
    assert.throws(() => decodeInvite(clubId), { code: 'ERR_INVALID_INVITE' })
    assert.throws(() => encodeInvite({ clubId, bootstrap: [multiaddr('/ip4/127.0.0.1/tcp/1')] }), { code: 'ERR_INVALID_INVITE' })
  })
})

import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { checkRoster, clubIdFromPublicKey, signRoster, verifyRosterRecord, type Roster } from '../../src/club/index.js'
import { MAX_IPNS_RECORD_SIZE } from '../../src/dht/index.js'

const PEER = '12D3KooWGRUVh2rjN3BUyUPbJqcnhKrbhgzBKCXxAC9y3gHDMYHm'
const HELPER = '12D3KooWLrWPvYRbH2wnVK1UtsoAzmaw1Ea9NmkEMpUSKRhuN1Zw'

function roster (): Roster {
  return { name: 'Street', description: '', policy: 'open', servers: [{ peerId: PEER, multiaddrs: ['/ip4/192.0.2.1/tcp/4001'] }], updatedAt: 1_700_000_000_000 }
}

describe('helper: upload helpers in the club roster', function () {
  it('round-trips the helpers through a signed record; a roster without them still has none', async function () {
    const key = await generateKeyPair('Ed25519')
    const clubId = clubIdFromPublicKey(key.publicKey)
    const withHelpers: Roster = { ...roster(), helpers: [{ peerId: HELPER, multiaddrs: [`/ip4/198.51.100.7/tcp/4001/p2p/${HELPER}`] }] }
    const signed = await verifyRosterRecord(clubId, await signRoster(key, withHelpers, 1n))
    assert.deepEqual(signed.roster.helpers, [{ peerId: HELPER, multiaddrs: ['/ip4/198.51.100.7/tcp/4001'] }], 'stored once, without /p2p/')
    const plain = await verifyRosterRecord(clubId, await signRoster(key, roster(), 2n))
    assert.equal(plain.roster.helpers, undefined, 'backward compatible: absent stays absent')
    const empty = await verifyRosterRecord(clubId, await signRoster(key, { ...roster(), helpers: [] }, 3n))
    assert.equal(empty.roster.helpers, undefined, 'an empty list is not written')
  })

  it('lists at most 8 helpers, and a roster with them stays within the IPNS limit', async function () {
    const helpers = await Promise.all(Array.from({ length: 9 }, async (_, i) => {
      return { peerId: peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString(), multiaddrs: [`/ip4/198.51.100.${i}/tcp/4001`] }
    }))
    assert.throws(() => checkRoster({ ...roster(), helpers }), { code: 'ERR_INVALID_ROSTER' })
    assert.throws(() => checkRoster({ ...roster(), helpers: [{ peerId: 'nope', multiaddrs: [] }] }), { code: 'ERR_INVALID_ROSTER' })
    const key = await generateKeyPair('Ed25519')
    const record = await signRoster(key, { ...roster(), helpers: helpers.slice(0, 8) }, 1n)
    assert.ok(record.byteLength <= MAX_IPNS_RECORD_SIZE)
  })
})

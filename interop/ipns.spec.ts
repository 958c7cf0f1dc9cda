/**
 * Our club roster records against the `ipns` package's own code (which we did
 * not write): its validator must accept them under the club's IPNS name, its
 * unmarshaller must read them, and its selector must order them by sequence.
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns'
import { ipnsSelector } from 'ipns/selector'
import { ipnsValidator, validate } from 'ipns/validator'
import { clubIdFromPublicKey, clubRoutingKey, signRoster, verifyRosterRecord, type Roster } from '../src/club/index.js'

const roster: Roster = {
  name: 'Interop club',
  description: 'checked by the ipns package',
  policy: 'invitation',
  servers: [
    { peerId: '12D3KooWGRUVh2rjN3BUyUPbJqcnhKrbhgzBKCXxAC9y3gHDMYHm', multiaddrs: ['/ip4/198.51.100.7/tcp/4001', '/ip6/2001:db8::7/udp/4001/quic-v1'], capacity: 1_000_000_000 },
    { peerId: '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq', multiaddrs: ['/dns4/club.example.org/tcp/443/wss'] }
  ],
  updatedAt: 1_700_000_000_000
}

describe('interop: club roster records and the ipns package', function () {
  it('passes ipnsValidator under the club name and validate() with the club key, and unmarshals', async function () {
    const key = await generateKeyPair('Ed25519')
    const clubId = clubIdFromPublicKey(key.publicKey)
    assert.match(clubId, /^k51/)
    const record = await signRoster(key, roster, 5)

    const routingKey = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
    assert.deepEqual(clubRoutingKey(clubId), routingKey)
    await ipnsValidator(routingKey, record)
    await validate(key.publicKey, record)

    const parsed = unmarshalIPNSRecord(record)
    assert.equal(parsed.value, `/lafs-club/${clubId}`)
    assert.equal(parsed.sequence, 5n)
    assert.equal(parsed.validityType, 'EOL')
    assert.ok(!('signatureV1' in parsed), 'a V2-only record')
    assert.ok(Date.parse(parsed.validity) > Date.now())

    const ours = await verifyRosterRecord(clubId, record)
    assert.deepEqual(ours.roster, roster)
  })

  it('the ipns validator refuses our record under another name or after tampering', async function () {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const record = await signRoster(key, roster, 1)
    await assert.rejects(ipnsValidator(multihashToIPNSRoutingKey(other.publicKey.toMultihash()), record))
    const tampered = Uint8Array.from(record)
    tampered[tampered.length - 3] ^= 0x01
    await assert.rejects(ipnsValidator(multihashToIPNSRoutingKey(key.publicKey.toMultihash()), tampered))
  })

  it('the ipns selector prefers the higher sequence of our records', async function () {
    const key = await generateKeyPair('Ed25519')
    const older = await signRoster(key, roster, 3)
    const newer = await signRoster(key, { ...roster, servers: roster.servers.slice(1) }, 4)
    const routingKey = multihashToIPNSRoutingKey(key.publicKey.toMultihash())
    assert.equal(ipnsSelector(routingKey, [older, newer]), 1)
    assert.equal(ipnsSelector(routingKey, [newer, older]), 0)
  })
})

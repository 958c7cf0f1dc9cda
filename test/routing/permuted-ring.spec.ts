import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { permute } from '../../src/routing/permuted-ring.js'

describe('routing/permuted-ring', () => {
  it('orders servers by SHA-256(storage index ‖ peer ID bytes), whatever the input order', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
    const si = createHash('sha256').update('si').digest().subarray(0, 16)
    const servers = ids.map(peerId => ({ peerId }))
    const a = permute(si, servers).map(s => s.peerId)
    const b = permute(si, [...servers].reverse()).map(s => s.peerId)
    assert.deepEqual(a, b)
    const expected = [...ids].sort((x, y) => Buffer.compare(
      createHash('sha256').update(si).update(peerIdFromString(x).toMultihash().bytes).digest(),
      createHash('sha256').update(si).update(peerIdFromString(y).toMultihash().bytes).digest()))
    assert.deepEqual(a, expected)
    const other = permute(createHash('sha256').update('other').digest().subarray(0, 16), servers).map(s => s.peerId)
    assert.notDeepEqual(a, other)
  })
})

/**
 * Helia interop: a stock Helia 7 node (our devDependency, configured to stay on
 * loopback) joins the same kad-dht as six lafs-club nodes.
 *  - Helia's IPNS API resolves a club ID our node published, and the record it
 *    returns passes the `ipns` package's validator, Helia's own validator and ours.
 *  - Helia publishes an IPNS name; our nodes' replay-proof validator stores it,
 *    and our nodes resolve and validate it through src/dht.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multihashToIPNSRoutingKey, unmarshalIPNSRecord } from 'ipns'
import { ipnsValidator } from 'ipns/validator'
import { base36 } from 'multiformats/bases/base36'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import type { MultihashDigest } from 'multiformats/hashes/interface'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { clubPath, clubRoutingKey, publicKeyFromClubId, verifyRosterRecord } from '../src/club/index.js'
import { getRecord, readStoredIpnsRecord, recordDatastoreKey } from '../src/dht/index.js'
import { createNode, type LafsNode } from '../src/node/index.js'
import { loadHelia, lentForImport, type HeliaModules } from './lib/load-helia.js'
import { startLoopbackHelia, type StartedHelia } from './lib/loopback-helia.js'
import { RecordWitness, peersServing } from './lib/dht-observe.js'

const DHT_PROTOCOL = '/lafs-club-test/kad/1.0.0'
const OUR_NODES = 6

const tcpAddr = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
const tableSize = (dht: unknown): number => (dht as any).routingTable?.size ?? 0

async function until (what: string, deadlineMs: number, check: () => boolean): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

function note (line: string): void {
  console.log(`      helia interop: ${line}`)
}

describe('interop: Helia 7 on the same loopback DHT', function () {
  this.timeout(60_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  let heliaNode: StartedHelia | undefined
  let mods: HeliaModules

  before(async function () {
    const started = Date.now()
    mods = await loadHelia()
    if (lentForImport.length > 0) note(`Node ${process.versions.node}: lent ${lentForImport.join(', ')} to undici while importing Helia`)
    const start = async (bootstrap: string[]): Promise<LafsNode> => {
      const dataDir = await mkdtemp(join(tmpdir(), 'lafs-helia-'))
      dirs.push(dataDir)
      const node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, storage: { enabled: false }, gateway: false, dhtProtocol: DHT_PROTOCOL })
      nodes.push(node)
      return node
    }
    const boot = await start([])
    const bootAddr = tcpAddr(boot)
    await Promise.all(Array.from({ length: OUR_NODES - 1 }, async () => await start([bootAddr])))
    heliaNode = await startLoopbackHelia({ dhtProtocol: DHT_PROTOCOL, peers: [bootAddr] })
    await Promise.all(nodes.map(async n => await n.bootstrapped))
    const heliaDht = heliaNode.helia.libp2p.services.dht
    // 7 DHT servers in all: each should know at least 4 of its 6 peers
    await until('routing tables to fill', 30_000, () => tableSize(heliaDht) >= 4 && nodes.every(n => tableSize(n.libp2p.services.dht) >= 4))
    note(`${OUR_NODES} lafs-club nodes + Helia ${heliaNode.peerId.slice(-6)} up, tables ${[...nodes.map(n => tableSize(n.libp2p.services.dht)), tableSize(heliaDht)].join('/')} after ${Date.now() - started} ms`)
  })

  after(async function () {
    await heliaNode?.stop()
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('keeps Helia on loopback: only our libp2p router, only bitswap, loopback addresses and peers', function () {
    const { helia } = heliaNode!
    const routers: unknown[] = (helia.routing as any).routers ?? []
    assert.deepEqual(routers.map(r => (r as any).name), ['libp2p-router'], 'no delegated HTTP router, no gateway fallback router')
    const brokers: unknown[] = (helia as any).blockBrokers ?? []
    assert.deepEqual(brokers.map(b => (b as any).name), ['bitswap'], 'no trustless-gateway block broker')
    for (const ma of helia.libp2p.getMultiaddrs()) assert.match(ma.toString(), /^\/ip4\/127\./)
    for (const conn of helia.libp2p.getConnections()) assert.match(conn.remoteAddr.toString(), /^\/ip4\/127\./)
    const ours = new Set(nodes.map(n => n.peerId))
    for (const peer of helia.libp2p.getPeers()) assert.ok(ours.has(peer.toString()), `Helia is connected only to our nodes, not ${peer.toString()}`)
  })

  it("Helia's IPNS API resolves our club ID to a record that validates", async function () {
    const { ipns: heliaIpns, helia } = heliaNode!
    const owner = nodes[2]
    const clubId = await owner.createClub({ name: 'helia interop' })
    const published = await owner.clubs.signedRoster(clubId)
    assert.ok(published != null, 'the owner caches the roster it published')
    const routingKey = clubRoutingKey(clubId)

    // Helia is one of the 7 DHT servers, so the owner's put reached it: its DHT
    // (with the validator @helia/ipns installed) accepted and stored our roster.
    // Helia's IPNS local store reads that same record, so drop it to make the
    // resolve below go over the network only.
    const heldByHelia = await readStoredIpnsRecord(helia.datastore, routingKey)
    assert.equal(heldByHelia?.value, clubPath(clubId), "Helia's DHT server stored our roster when the owner put it")
    await helia.datastore.delete(recordDatastoreKey(routingKey))

    const witness = new RecordWitness(published.record)
    const t0 = Date.now()
    const results = []
    for await (const r of heliaIpns.resolve(CID.parse(clubId, base36), { nocache: true, signal: AbortSignal.timeout(25_000), onProgress: witness.onProgress })) {
      results.push(r)
    }
    const ms = Date.now() - t0
    assert.equal(results.length, 1, 'a /lafs-club/ value is not recursive: one step')
    assert.equal(results[0].value, clubPath(clubId), 'Helia returns the non-/ipfs/ value as is')
    const ourPeers = new Set(nodes.map(n => n.peerId))
    const servedByOurs = [...witness.served].filter(p => ourPeers.has(p))
    assert.ok(servedByOurs.length >= 1, 'at least one of our nodes answered Helia with the record')

    const bytes = mods.ipns.IPNSEntry.encode(results[0].record)
    assert.ok(uint8ArrayEquals(bytes, published.record), 'Helia returns the exact bytes our owner signed')
    await ipnsValidator(routingKey, bytes)
    await mods.ipns.ipnsValidator(routingKey, bytes, helia.keychain)
    const verified = await verifyRosterRecord(clubId, bytes)
    assert.equal(verified.roster.name, 'helia interop')
    assert.equal(unmarshalIPNSRecord(bytes).sequence, published.sequence)

    // the other name forms Helia accepts lead to the same record: the key's
    // multihash, the base36 club ID and an /ipns/ path (Helia's PublicKey type is
    // @ipshipyard/crypto's, so a @libp2p/crypto key would only pass as a string)
    for (const name of [publicKeyFromClubId(clubId).toMultihash(), clubId, `/ipns/${clubId}`]) {
      const again = []
      for await (const r of heliaIpns.resolve(name, { signal: AbortSignal.timeout(15_000) })) again.push(r.value)
      assert.deepEqual(again, [clubPath(clubId)])
    }
    note(`Helia resolved club ${clubId.slice(0, 10)}… to ${results[0].value.slice(0, 22)}… in ${ms} ms; ${servedByOurs.length} of our nodes served the record`)
  })

  it('our nodes resolve and validate an IPNS name Helia published, and their validator stored it', async function () {
    const { ipns: heliaIpns, helia, peerId: heliaId } = heliaNode!
    const block = randomBytes(64)
    const cid = CID.createV1(raw.code, await sha256.digest(block))
    await helia.blockstore.put(cid, block)

    const witness = new RecordWitness()
    const t0 = Date.now()
    const published = await heliaIpns.publish('lafs-interop', cid, { signal: AbortSignal.timeout(25_000), onProgress: witness.onProgress })
    const publishMs = Date.now() - t0
    const heliaBytes = mods.ipns.IPNSEntry.encode(published.record)
    const routingKey = multihashToIPNSRoutingKey(published.publicKey.toMultihash() as MultihashDigest<0x00>)

    const ourPeers = new Set(nodes.map(n => n.peerId))
    const storedByOurs = [...witness.stored].filter(p => ourPeers.has(p))
    assert.ok(storedByOurs.length >= 2,
      `our nodes' IPNS validator should accept Helia's record; stored by ${storedByOurs.length}, errors: ${JSON.stringify([...witness.refusedOrFailed])}`)

    const readers = [nodes[4], nodes[5]]
    for (const reader of readers) {
      const bytes = await getRecord(reader.libp2p.services.dht, routingKey, { signal: AbortSignal.timeout(20_000) })
      assert.ok(uint8ArrayEquals(bytes, heliaBytes), `node ${reader.peerId.slice(-6)} got Helia's exact record`)
      await ipnsValidator(routingKey, bytes)
      const record = unmarshalIPNSRecord(bytes)
      assert.equal(record.value, `/ipfs/${cid.toString()}`)
      assert.equal(record.sequence, 1n)
    }
    const holders = await peersServing(readers[1].libp2p.services.dht, routingKey, heliaBytes, AbortSignal.timeout(20_000))
    holders.delete(heliaId)
    assert.ok(holders.size >= 2, `at least two of our nodes hold Helia's record (found ${holders.size})`)
    note(`Helia published ${published.name.slice(0, 16)}… → /ipfs/${cid.toString().slice(0, 12)}… in ${publishMs} ms; ` +
      `${storedByOurs.length} of our nodes accepted the PUT, ${holders.size} serve it, 2 resolved and validated it`)
  })
})

/**
 * Issue #13, items 3-5 at the club layer: a server joins by club ID alone (the
 * roster names the owner's node; a member forwards the request when the owner
 * cannot be dialled), invitation requests wait in SQLite across restarts, a
 * server leaves, rosters carry only addresses others can dial unless the club
 * is local, and members' re-puts keep a club resolvable once every copy the
 * owner put is gone.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { ClubManager, clubIdFromPublicKey, clubRoutingKey, contactAddrs, rosterIpnsCheck, signRoster, verifyRosterRecord, DAY_MS } from '../../src/club/index.js'
import { putRecord, recordDatastoreKey } from '../../src/dht/index.js'
import { sendJoinRequest, signJoinRequest } from '../../src/club/join-protocol.js'
import { pushRoster } from '../../src/club/roster-push.js'
import { createDhtNode, datastoreOf, dialRetry, startCluster, stopNodes, type DhtNode } from '../dht/cluster.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

const clubDht = { ipnsChecks: [rosterIpnsCheck] }

async function until (what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** The club's roster record dropped from a node's record store (what a restart with an empty store leaves); 1 if it held one. */
async function dropRoster (node: DhtNode, clubId: string): Promise<number> {
  const ds = datastoreOf(node)
  const key = recordDatastoreKey(clubRoutingKey(clubId))
  if (!(await ds.has(key))) return 0
  await ds.delete(key)
  return 1
}

describe('club: joining by ID, forwarding, leaving, local clubs and members keeping the roster alive', function () {
  this.timeout(120_000)
  const N = 10
  let nodes: DhtNode[] = []
  const keys = new Map<DhtNode, PrivateKey>()
  const extra: DhtNode[] = []
  const managers: ClubManager[] = []
  let root: string

  const active = new Map<DhtNode, ClubManager>()
  /** A started manager; one per node at a time (the join protocol has one handler), so an earlier one on the node is stopped. */
  async function manager (node: DhtNode, name: string, more: Partial<ConstructorParameters<typeof ClubManager>[0]> = {}): Promise<ClubManager> {
    await active.get(node)?.stop()
    const m = new ClubManager({ libp2p: node, dataDir: join(root, name), privateKey: keys.get(node), ...more })
    await m.start()
    active.set(node, m)
    managers.push(m)
    return m
  }

  /** A node that cannot dial `blocked` nor be dialled by it while `block.on`: the owner behind a NAT this joiner cannot cross. */
  async function isolatedFrom (blocked: () => PeerId, block: { on: boolean }): Promise<DhtNode> {
    const privateKey = await generateKeyPair('Ed25519')
    const deny = (peer: PeerId): boolean => block.on && peer.equals(blocked())
    const node = await createDhtNode({ privateKey, dht: clubDht, connectionGater: { denyDialPeer: deny, denyInboundEncryptedConnection: deny } })
    keys.set(node, privateKey)
    extra.push(node)
    return node
  }

  before(async function () {
    root = await mkdtemp(join(tmpdir(), 'lafs-join-by-id-'))
    const privateKeys = await Promise.all(Array.from({ length: N }, async () => await generateKeyPair('Ed25519')))
    nodes = await startCluster(N, privateKeys.map(privateKey => ({ privateKey, dht: clubDht })))
    nodes.forEach((n, i) => keys.set(n, privateKeys[i]))
  })

  after(async function () {
    await Promise.all(managers.map(async m => { await m.stop() }))
    await stopNodes([...nodes, ...extra])
    await rm(root, { recursive: true, force: true })
  })

  it('the roster names the owner\'s node; a server joins an open club by its ID alone and is listed at once', async function () {
    const owner = await manager(nodes[0], 'open-owner')
    const { signed } = await owner.createClub({ name: 'by id', local: true })
    assert.equal(signed.roster.owner?.peerId, nodes[0].peerId.toString())
    assert.ok((signed.roster.owner?.multiaddrs.length ?? 0) > 0, 'a local club lists the owner\'s loopback addresses')
    assert.equal(signed.roster.local, true)

    const server = await manager(nodes[4], 'open-server')
    const answer = await server.askToJoin(signed.clubId, { capacity: 5e9 })
    assert.equal(answer.status, 'accepted')
    const seen = await (await manager(nodes[7], 'open-reader')).resolve(signed.clubId)
    const entry = seen.roster.servers.find(s => s.peerId === nodes[4].peerId.toString())
    assert.ok(entry != null, 'listed in the next roster')
    assert.equal(entry.capacity, 5e9)
    assert.deepEqual((await server.joinedClubs()).map(m => [m.clubId, m.role]), [[signed.clubId, 'server']])

    // the owner serving its own club lists itself, no request needed
    const self = await owner.askToJoin(signed.clubId)
    assert.equal(self.status, 'accepted')
    assert.ok((await owner.cached(signed.clubId))!.roster.servers.some(s => s.peerId === nodes[0].peerId.toString()))
  })

  it('the owner pushes each roster it publishes to its connected servers: a member knows a server that joined after it at once', async function () {
    const owner = await manager(nodes[8], 'push-owner')
    const { signed } = await owner.createClub({ name: 'push', local: true })
    const early = await manager(nodes[3], 'push-early')
    assert.equal((await early.askToJoin(signed.clubId)).status, 'accepted')
    const before = (await early.cached(signed.clubId))?.sequence ?? 0n
    const events: bigint[] = []
    early.addEventListener('roster', (evt) => { events.push((evt as CustomEvent<{ sequence: bigint }>).detail.sequence) })
    const late = await manager(nodes[9], 'push-late')
    assert.equal((await late.askToJoin(signed.clubId)).status, 'accepted')
    await until('the early member to hold a roster listing the late server', 10_000, async () =>
      (await early.cached(signed.clubId))?.roster.servers.some(s => s.peerId === nodes[9].peerId.toString()) === true)
    assert.ok(events.length > 0 && events.every(seq => seq > before), `roster events with newer sequences (${events.join(', ')})`)

    // a node outside the club keeps nothing pushed to it
    const outsider = await manager(nodes[7], 'push-outsider')
    const latest = (await owner.cached(signed.clubId))!
    await pushRoster(nodes[8], nodes[7].peerId, { club: signed.clubId, record: latest.record })
    await new Promise(resolve => setTimeout(resolve, 300))
    assert.equal(await outsider.cached(signed.clubId), undefined)
  })

  it('joining a club whose DHT copy is older than the one this node holds keeps the newer copy (the owner serving its own club mid-publish)', async function () {
    const owner = await manager(nodes[2], 'stale-owner')
    const first = (await owner.createClub({ name: 'stale', local: true })).signed
    const second = (await owner.publish(first.clubId)).signed
    assert.equal(second.sequence, first.sequence + 1n)
    // the DHT serves only the first sequence again, as it may for a moment while a publish spreads
    for (const n of [...nodes, ...extra]) await dropRoster(n, first.clubId)
    await putRecord(nodes[1].services.dht, clubRoutingKey(first.clubId), first.record, { minAccepted: 1, signal: AbortSignal.timeout(20_000) })
    const joined = await owner.joinAsUser(first.clubId)
    assert.equal(joined.sequence, second.sequence, 'the held, newer roster, not a StaleRosterError')
    // a node holding nothing takes what the DHT has
    assert.equal((await (await manager(nodes[6], 'stale-reader')).resolve(first.clubId)).sequence, first.sequence)
  })

  it('a non-local club lists only addresses others can dial: a loopback-only joiner is refused, invites refuse loopback, and config publicRanges changes the verdict', async function () {
    const owner = await manager(nodes[1], 'public-owner')
    const { signed } = await owner.createClub({ name: 'public' })
    assert.equal(signed.roster.local, undefined)
    assert.deepEqual(signed.roster.owner?.multiaddrs, [], 'no loopback address of the owner in a public club\'s roster')
    await assert.rejects(owner.invite(signed.clubId), { code: 'ERR_INVITE_BOOTSTRAP_UNREACHABLE' })

    const joiner = await manager(nodes[5], 'public-joiner')
    const ownerAddr = nodes[1].getMultiaddrs()[0]
    await assert.rejects(joiner.askToJoin(signed.clubId, { owner: ownerAddr }),
      (err: any) => err.code === 'ERR_JOIN_SERVER_UNREACHABLE' && /this node has no address other networks can dial/.test(err.message))
    // listing the loopback address anyway: the owner's guard refuses it
    await assert.rejects(joiner.askToJoin(signed.clubId, { owner: ownerAddr, multiaddrs: [nodes[5].getMultiaddrs()[0].toString()] }),
      (err: any) => err.code === 'ERR_JOIN_SERVER_UNREACHABLE' && /can be dialled from another network/.test(err.message))
    assert.equal((await owner.cached(signed.clubId))?.sequence, 1n, 'nothing published')

    // a lab that plays the internet on 127/8: the same addresses now count
    const labOwner = await manager(nodes[2], 'lab-owner', { publicRanges: ['127.0.0.0/8'] })
    const lab = await labOwner.createClub({ name: 'lab' })
    assert.ok((lab.signed.roster.owner?.multiaddrs.length ?? 0) > 0)
    assert.match(await labOwner.invite(lab.signed.clubId), /^lafs-club-invite:/)
    const labJoiner = await manager(nodes[6], 'lab-joiner', { publicRanges: ['127.0.0.0/8'] })
    assert.equal((await labJoiner.askToJoin(lab.signed.clubId)).status, 'accepted')
  })

  it('contactAddrs: public ones only (a relayed address is as public as its relay), at most one relayed address, direct ones first', function () {
    const relayA = '/ip4/203.0.113.9/tcp/4001/p2p/12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5/p2p-circuit'
    const relayB = '/ip4/8.8.4.4/tcp/4001/p2p/12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5/p2p-circuit'
    const relayC = '/ip4/1.1.1.1/tcp/4001/p2p/12D3KooWGC6TvWhfapngX6wvJHMYvKpDMXPb3ZnCZ6dMoaMtimQ5/p2p-circuit'
    const addrs = ['/ip4/127.0.0.1/tcp/4001', '/ip4/192.168.1.5/tcp/4001', relayA, relayB, relayC, '/ip4/93.184.216.34/tcp/4001']
    assert.deepEqual(contactAddrs(addrs), ['/ip4/93.184.216.34/tcp/4001', relayB], 'documentation-range relay skipped, one relayed address kept')
    assert.deepEqual(contactAddrs(addrs, { local: true }).length, 4)
    assert.deepEqual(contactAddrs(addrs, { publicRanges: ['192.168.0.0/16'] }), ['/ip4/192.168.1.5/tcp/4001', '/ip4/93.184.216.34/tcp/4001', relayB])
  })

  it('the owner cannot be dialled: a member forwards the signed request; the invitation queue survives a restart; approve probes; leave goes the same way', async function () {
    const ownerDir = 'hidden-owner'
    let owner = await manager(nodes[3], ownerDir)
    const { signed } = await owner.createClub({ name: 'hidden owner', policy: 'invitation', local: true })
    const member = await manager(nodes[8], 'forwarding-member')
    await owner.addServer(signed.clubId, nodes[8].getMultiaddrs()[0].toString())
    await member.joinAsUser(signed.clubId)

    const block = { on: true }
    const joinerNode = await isolatedFrom(() => nodes[3].peerId, block)
    await dialRetry(joinerNode, nodes[8])
    await dialRetry(joinerNode, nodes[9])
    const joiner = await manager(joinerNode, 'hidden-joiner')
    const answer = await joiner.askToJoin(signed.clubId, { note: 'via a member' })
    assert.equal(answer.status, 'pending')
    assert.equal(joinerNode.getConnections(nodes[3].peerId).length, 0, 'the joiner never reached the owner itself')
    const [request] = owner.pendingJoinRequests(signed.clubId)
    assert.equal(request.peerId, joinerNode.peerId.toString(), 'queued for the signer, not for the member that forwarded it')
    assert.equal(request.note, 'via a member')

    // a member cannot speak for another server: a request signed by the member but naming the joiner is refused
    const forged = await signJoinRequest(keys.get(nodes[8])!, nodes[8].peerId, { clubId: signed.clubId, multiaddrs: [], op: 'leave' })
    forged.signed = { ...forged.signed!, peer: joinerNode.peerId.toString() }
    const refused = await sendJoinRequest(nodes[8], nodes[3].getMultiaddrs()[0], forged)
    assert.equal(refused.status, 'refused')
    assert.match(refused.reason ?? '', /not signed by/)

    // the owner restarts: the request is still there (SQLite), and approving probes the server first
    await owner.stop()
    owner = await manager(nodes[3], ownerDir)
    assert.deepEqual(owner.pendingJoinRequests().map(r => r.peerId), [joinerNode.peerId.toString()])
    await assert.rejects(owner.acceptJoin(signed.clubId, joinerNode.peerId), { code: 'ERR_JOIN_SERVER_UNREACHABLE' })
    assert.equal(owner.pendingJoinRequests().length, 1, 'a failed probe leaves the request pending')
    block.on = false
    const approved = await owner.acceptJoin(signed.clubId, joinerNode.peerId)
    assert.ok(approved.signed.roster.servers.some(s => s.peerId === joinerNode.peerId.toString()))
    assert.deepEqual(owner.pendingJoinRequests(), [])

    // leaving, with the owner out of reach again: forwarded, removed, published; the leaver forgets the club
    await joiner.joinAsUser(signed.clubId)
    await Promise.all(joinerNode.getConnections(nodes[3].peerId).map(async c => { await c.close() }))
    block.on = true
    const left = await joiner.leave(signed.clubId)
    assert.deepEqual(left, { clubId: signed.clubId, wasServer: true, removed: true })
    assert.ok(!(await owner.cached(signed.clubId))!.roster.servers.some(s => s.peerId === joinerNode.peerId.toString()))
    assert.deepEqual(await joiner.knownClubs(), [])
    assert.deepEqual((await joiner.republishNow()).reput, [], 'a club left is not re-put')

    // a denied server asking again gets the same answer, also after a restart
    const other = await manager(nodes[9], 'denied-server')
    assert.equal((await other.askToJoin(signed.clubId)).status, 'pending')
    owner.refuseJoin(signed.clubId, nodes[9].peerId, 'not now')
    await owner.stop()
    owner = await manager(nodes[3], ownerDir)
    await assert.rejects(other.askToJoin(signed.clubId), (err: any) => err.code === 'ERR_JOIN_REFUSED' && /not now/.test(err.message))
    await assert.rejects(owner.leave(signed.clubId), { code: 'ERR_NOT_CLUB_OWNER' })
  })

  it('a roster from before owner contacts still parses; joining it by ID alone says what is missing', async function () {
    const key = await generateKeyPair('Ed25519')
    const record = await signRoster(key, { name: 'old style', description: '', policy: 'open', servers: [], updatedAt: 1 }, 1)
    const clubId = clubIdFromPublicKey(key.publicKey)
    const verified = await verifyRosterRecord(clubId, record)
    assert.equal(verified.roster.owner, undefined)
    assert.equal(verified.roster.local, undefined)
    await putRecord(nodes[1].services.dht, clubRoutingKey(clubId), record, { minAccepted: 1, signal: AbortSignal.timeout(20_000) })
    const joiner = await manager(nodes[7], 'old-style-joiner')
    await assert.rejects(joiner.askToJoin(clubId), (err: any) => err.code === 'ERR_JOIN_REFUSED' && /does not name its owner's node/.test(err.message))
  })

  it('the invitation queue is bounded: the oldest request is dropped for a new one', async function () {
    const owner = await manager(nodes[0], 'bounded-owner', { maxPendingJoinRequests: 2 })
    const { signed } = await owner.createClub({ name: 'bounded', policy: 'invitation', local: true })
    for (const i of [5, 6, 7]) {
      assert.equal((await (await manager(nodes[i], `bounded-${i}`)).askToJoin(signed.clubId)).status, 'pending')
    }
    assert.deepEqual(owner.pendingJoinRequests(signed.clubId).map(r => r.peerId).sort(), [nodes[6], nodes[7]].map(n => n.peerId.toString()).sort())
  })

  it('validity is the owner\'s choice (30 days by default, kept across restarts) and the owner is warned before it runs out', async function () {
    const owner = await manager(nodes[2], 'validity-owner')
    const { signed } = await owner.createClub({ name: 'long lived', local: true })
    assert.ok(Math.abs(signed.expiresAt - (Date.now() + 30 * DAY_MS)) < 60_000, 'default 30 days')
    assert.deepEqual(await owner.expiringRosters(), [])
    const short = await owner.publish(signed.clubId, { validityMs: 2 * DAY_MS })
    assert.ok(Math.abs(short.signed.expiresAt - (Date.now() + 2 * DAY_MS)) < 60_000)
    assert.deepEqual((await owner.expiringRosters()).map(w => w.clubId), [signed.clubId])
    await assert.rejects(owner.publish(signed.clubId, { validityMs: 1000 }), { code: 'ERR_INVALID_ROSTER' })
    // the republish timer of a restarted owner keeps the chosen validity
    const restarted = await manager(nodes[2], 'validity-owner')
    const again = await restarted.publish(signed.clubId)
    assert.ok(Math.abs(again.signed.expiresAt - (Date.now() + 2 * DAY_MS)) < 60_000)
  })

  it('the owner goes away and every copy it put is dropped: members\' timed re-puts keep the club resolvable for a newcomer', async function () {
    const ownerKey = await generateKeyPair('Ed25519')
    const ownerNode = await createDhtNode({ privateKey: ownerKey, dht: clubDht })
    extra.push(ownerNode)
    await dialRetry(ownerNode, nodes[0])
    await dialRetry(ownerNode, nodes[5])
    const owner = new ClubManager({ libp2p: ownerNode, dataDir: join(root, 'leaving-owner'), privateKey: ownerKey })
    const { signed, put } = await owner.createClub({ name: 'outlives its owner', local: true })
    assert.ok((put?.accepted ?? 0) >= 3)
    // two members that re-put on a short timer (the config key clubs.republishIntervalSeconds in a node)
    const members = [await manager(nodes[4], 'keeper-a', { republishIntervalMs: 400 }), await manager(nodes[9], 'keeper-b', { republishIntervalMs: 400 })]
    for (const m of members) await m.joinAsUser(signed.clubId)
    for (const m of members) await m.stop() // paused while the owner's copies are dropped

    await owner.stop()
    await ownerNode.stop()
    let dropped = 0
    for (const n of [...nodes, ...extra]) dropped += await dropRoster(n, signed.clubId)
    assert.ok(dropped > 0, 'the DHT held copies the owner put')

    const newcomer = await manager(await (async () => {
      const n = await createDhtNode({ dht: clubDht })
      extra.push(n)
      await dialRetry(n, nodes[1])
      return n
    })(), 'newcomer')
    await assert.rejects(newcomer.resolve(signed.clubId, { signal: AbortSignal.timeout(20_000) }), { code: 'ERR_CLUB_NOT_FOUND' })

    for (const m of members) await m.start()
    await until('a member\'s timer to re-put the roster', 30_000, async () => {
      try {
        return (await newcomer.resolve(signed.clubId, { signal: AbortSignal.timeout(10_000) })).sequence === signed.sequence
      } catch {
        return false
      }
    })
    const found = await newcomer.resolve(signed.clubId)
    assert.equal(found.roster.name, 'outlives its owner')
    assert.equal(found.expiresAt, signed.expiresAt, 'the same record the owner signed')
  })
})

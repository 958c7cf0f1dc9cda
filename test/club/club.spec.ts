import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import {
  ClubKeyStore, ClubManager, clubIdFromPublicKey, clubRoutingKey, rosterIpnsCheck, signRoster, verifyRosterRecord, RosterCache,
  type ClubPolicy
} from '../../src/club/index.js'
import { PutRejectedError, QueryCostMeter, putRecord, readStoredIpnsRecord } from '../../src/dht/index.js'
import { createDhtNode, datastoreOf, dialRetry, startCluster, stopNodes, type DhtNode } from '../dht/cluster.js'
import { rawRecord, wireRoster } from './helpers.js'

const N = 20
const HOUR = 3_600_000
const clubDht = { ipnsChecks: [rosterIpnsCheck] }

describe('club: rosters in a 20-node DHT', function () {
  this.timeout(60_000)
  let nodes: DhtNode[] = []
  const extraNodes: DhtNode[] = []
  const managers: ClubManager[] = []
  let root: string
  let owner: ClubManager
  let clubId: string

  async function manager (node: DhtNode, name: string): Promise<ClubManager> {
    const m = new ClubManager({ libp2p: node, dataDir: join(root, name) })
    await m.start()
    managers.push(m)
    return m
  }

  async function freshNode (): Promise<DhtNode> {
    const n = await createDhtNode({ dht: clubDht })
    extraNodes.push(n)
    return n
  }

  async function createClub (policy: ClubPolicy): Promise<string> {
    const { signed, put } = await owner.createClub({ name: `${policy} club`, description: 'test', policy, local: true })
    assert.ok(put != null && put.accepted >= 5, `published to ${put?.accepted} peers`)
    return signed.clubId
  }

  before(async function () {
    this.timeout(120_000) // about 9 s on an idle box; a busy one (parallel suites) can take several times that
    root = await mkdtemp(join(tmpdir(), 'lafs-clubs-'))
    const t0 = Date.now()
    nodes = await startCluster(N, Array.from({ length: N }, () => ({ dht: clubDht })))
    console.log(`      cluster of ${N} ready in ${Date.now() - t0} ms`)
    owner = await manager(nodes[0], 'owner')
    clubId = await createClub('open')
  })

  after(async function () {
    await Promise.all(managers.map(async m => { await m.stop() }))
    await stopNodes([...nodes, ...extraNodes])
    await rm(root, { recursive: true, force: true })
  })

  it('a fresh node that knows one bootstrap peer resolves and validates the roster', async function () {
    const user = await manager(await freshNode(), 'user-fresh')
    await dialRetry(extraNodes[extraNodes.length - 1], nodes[13])
    const meter = new QueryCostMeter()
    const signed = await user.joinAsUser(clubId, { onProgress: meter.onProgress, signal: AbortSignal.timeout(20_000) })
    const cost = meter.finish()
    console.log(`      resolve from a fresh node: ${JSON.stringify(cost)}`)
    assert.equal(signed.clubId, clubId)
    assert.equal(signed.roster.name, 'open club')
    assert.equal(signed.roster.policy, 'open')
    assert.equal(signed.sequence, 1n)
    assert.ok(cost.rpcs > 0 && (cost.rpcsByType.GET_VALUE ?? 0) > 0)
    assert.equal((await user.cached(clubId))!.sequence, 1n)
  })

  it('remote validators refuse bad roster records and resolvers keep the good one', async function () {
    const key = await generateKeyPair('Ed25519')
    const m = await manager(nodes[1], 'owner-b')
    // we read the club key from its owner's folder to forge well-signed bad records under its name
    const { signed: good } = await m.createClub({ name: 'target', policy: 'open' })
    const target = good.clubId
    const targetKey = (await new ClubKeyStore(join(root, 'owner-b')).load(target))!
    const seq2 = await m.publish(target)
    assert.equal(seq2.signed.sequence, 2n)
    const otherId = clubIdFromPublicKey(key.publicKey)
    const later = Date.now() + HOUR
    const cases: Record<string, Uint8Array> = {
      'signed by another key': await signRoster(key, good.roster, 9),
      'mismatched name': await rawRecord(targetKey, { value: `/lafs-club/${otherId}`, sequence: 9, validUntil: later, rosterWire: wireRoster() }),
      expired: await rawRecord(targetKey, { value: `/lafs-club/${target}`, sequence: 9, validUntil: Date.now() - 1000, rosterWire: wireRoster() }),
      oversized: await rawRecord(targetKey, { value: `/lafs-club/${target}`, sequence: 9, validUntil: later, rosterWire: wireRoster(), padding: 11 * 1024 }),
      'malformed roster': await rawRecord(targetKey, { value: `/lafs-club/${target}`, sequence: 9, validUntil: later, rosterWire: wireRoster({ policy: 'anyone' }) }),
      'lower sequence': good.record
    }
    // a replica that missed seq 2 may still take seq 1 again (not lower than what it holds)
    let holdersOf2 = 0
    for (const n of nodes) if ((await readStoredIpnsRecord(datastoreOf(n), clubRoutingKey(target)))?.sequence === 2n) holdersOf2++
    const refusals: Record<string, number> = {}
    for (const [name, record] of Object.entries(cases)) {
      const meter = new QueryCostMeter()
      const result = await putRecord(nodes[7].services.dht, clubRoutingKey(target), record, { onProgress: meter.onProgress, minAccepted: 0 })
      const cost = meter.finish()
      const mayAccept = name === 'lower sequence' ? N - holdersOf2 : 0
      assert.ok(result.accepted <= mayAccept, `${name}: accepted by ${result.accepted}`)
      assert.equal(cost.responsesByType.PUT_VALUE ?? 0, result.accepted)
      refusals[name] = result.rejected
      assert.ok(result.rejected >= 5 && result.rejected + result.accepted === cost.rpcsByType.PUT_VALUE, `${name}: ${result.rejected} PUT_VALUE errors for ${cost.rpcsByType.PUT_VALUE} sent`)
    }
    await assert.rejects(putRecord(nodes[7].services.dht, clubRoutingKey(target), cases.expired), PutRejectedError)
    console.log(`      PUT_VALUE refusals per bad record: ${JSON.stringify(refusals)}`)
    const reader = await manager(nodes[15], 'reader-b')
    const resolved = await reader.resolve(target)
    assert.equal(resolved.sequence, 2n)
    for (const n of nodes) {
      if (n === nodes[7]) continue // the forger stored its own copy unchecked
      const stored = await readStoredIpnsRecord(datastoreOf(n), clubRoutingKey(target))
      if (stored != null) assert.equal(stored.sequence, 2n, `replica on ${n.peerId.toString()} rolled back`)
    }
  })

  it('resolve refuses what the DHT cannot judge: a plain IPNS record naming another path, and a roster older than the cache', async function () {
    const key = await generateKeyPair('Ed25519')
    const id = clubIdFromPublicKey(key.publicKey)
    // not a roster at all (no LafsClub field), so any IPNS node stores it
    await putRecord(nodes[4].services.dht, clubRoutingKey(id), await rawRecord(key, { value: '/ipfs/bafkqaaa', sequence: 1, validUntil: Date.now() + HOUR }))
    const reader = await manager(nodes[9], 'reader-c')
    await assert.rejects(reader.resolve(id), { code: 'ERR_ROSTER_NAME_MISMATCH' })
    const nobody = clubIdFromPublicKey((await generateKeyPair('Ed25519')).publicKey)
    await assert.rejects(reader.resolve(nobody), { code: 'ERR_CLUB_NOT_FOUND' })

    const key2 = await generateKeyPair('Ed25519')
    const id2 = clubIdFromPublicKey(key2.publicKey)
    const roster = { name: 'rollback', description: '', policy: 'open' as const, servers: [], updatedAt: 1 }
    await putRecord(nodes[4].services.dht, clubRoutingKey(id2), await signRoster(key2, roster, 2))
    // the reader saw seq 3 earlier (e.g. before the DHT lost it)
    await new RosterCache(join(root, 'reader-c')).put(await verifyRosterRecord(id2, await signRoster(key2, roster, 3)))
    // another folder on another node has no cache and takes seq 2 from the DHT
    assert.equal((await (await manager(nodes[10], 'reader-c2')).resolve(id2)).sequence, 2n)
    await assert.rejects(reader.resolve(id2), { code: 'ERR_ROSTER_STALE' })
    assert.equal((await reader.cached(id2))!.sequence, 3n)
  })

  it('servers ask to join: auto-accepted by an open club', async function () {
    const server = await manager(nodes[5], 'server-open')
    const answer = await server.askToJoin(clubId, { owner: nodes[0].getMultiaddrs()[0], capacity: 10 ** 9 })
    assert.equal(answer.status, 'accepted')
    const user = await manager(nodes[18], 'user-open')
    const signed = await user.resolve(clubId)
    const listed = signed.roster.servers.find(s => s.peerId === nodes[5].peerId.toString())
    assert.ok(listed != null, 'the server is on the roster')
    assert.equal(listed.capacity, 10 ** 9)
    assert.ok(listed.multiaddrs.length > 0)
    assert.equal(signed.sequence, BigInt(answer.sequence!))
    // asking again is harmless
    assert.equal((await server.askToJoin(clubId, { owner: nodes[0].getMultiaddrs()[0] })).status, 'accepted')
  })

  it('servers ask to join an invitation club: queued, then accepted or refused by the owner', async function () {
    const invitational = await createClub('invitation')
    const requests: string[] = []
    owner.addEventListener('join-request', (e) => { requests.push((e as CustomEvent).detail.peerId) })
    const alice = await manager(nodes[6], 'server-alice')
    const bob = await manager(nodes[8], 'server-bob')
    const ownerAddr = nodes[0].getMultiaddrs()[0]
    assert.equal((await alice.askToJoin(invitational, { owner: ownerAddr, note: 'hi' })).status, 'pending')
    assert.equal((await bob.askToJoin(invitational, { owner: ownerAddr })).status, 'pending')
    assert.deepEqual(requests.sort(), [nodes[6].peerId.toString(), nodes[8].peerId.toString()].sort())
    assert.equal(owner.pendingJoinRequests(invitational).length, 2)
    assert.equal(owner.pendingJoinRequests(invitational).find(r => r.peerId === nodes[6].peerId.toString())!.note, 'hi')

    const { signed } = await owner.acceptJoin(invitational, nodes[6].peerId)
    assert.equal(signed.sequence, 2n)
    owner.refuseJoin(invitational, nodes[8].peerId.toString(), 'we are full')
    assert.equal(owner.pendingJoinRequests(invitational).length, 0)
    assert.throws(() => owner.refuseJoin(invitational, nodes[8].peerId), { code: 'ERR_NO_SUCH_JOIN_REQUEST' })

    assert.equal((await alice.askToJoin(invitational, { owner: ownerAddr })).status, 'accepted')
    await assert.rejects(bob.askToJoin(invitational, { owner: ownerAddr }), (err: any) => err.code === 'ERR_JOIN_REFUSED' && /we are full/.test(err.message))
    // a node that does not own the club refuses too
    await assert.rejects(bob.askToJoin(invitational, { owner: nodes[6].getMultiaddrs()[0] }), { code: 'ERR_JOIN_REFUSED' })
    const seen = await (await manager(nodes[19], 'user-inv')).resolve(invitational)
    assert.deepEqual(seen.roster.servers.map(s => s.peerId), [nodes[6].peerId.toString()])
  })

  it('a one-code invite takes a brand-new node into the club in one step', async function () {
    const invite = owner.createInvite(clubId)
    assert.match(invite, /^lafs-club-invite:/)
    const newcomer = await manager(await freshNode(), 'newcomer')
    const signed = await newcomer.joinAsUser(invite, { signal: AbortSignal.timeout(20_000) })
    assert.equal(signed.clubId, clubId)
    assert.ok(signed.roster.servers.some(s => s.peerId === nodes[5].peerId.toString()))
    await assert.rejects((await manager(await freshNode(), 'lost')).joinAsUser(owner.createInvite(clubId, ['/ip4/127.0.0.1/tcp/1']), { signal: AbortSignal.timeout(5000) }), { code: 'ERR_INVITE_BOOTSTRAP_UNREACHABLE' })
  })

  it('owner edits publish the next sequence; only the owner can edit', async function () {
    const before = (await owner.cached(clubId))!.sequence
    const removed = await owner.removeServer(clubId, nodes[5].peerId)
    assert.equal(removed.signed.sequence, before + 1n)
    assert.equal(removed.signed.roster.servers.length, 0)
    const byAddress = await owner.addServer(clubId, nodes[3].getMultiaddrs()[0].toString())
    assert.deepEqual(byAddress.signed.roster.servers, [{ peerId: nodes[3].peerId.toString(), multiaddrs: [nodes[3].getMultiaddrs()[0].decapsulateCode(421).toString()] }])
    await assert.rejects(owner.addServer(clubId, '/ip4/127.0.0.1/tcp/9'), { code: 'ERR_INVALID_ROSTER' })
    await owner.removeServer(clubId, nodes[3].peerId.toString())
    await assert.rejects(owner.removeServer(clubId, nodes[5].peerId), { code: 'ERR_SERVER_NOT_MEMBER' })
    const renamed = await owner.updateClub(clubId, { description: 'renamed' })
    assert.equal(renamed.signed.sequence, before + 4n)
    const user = managers.find(m => m !== owner)!
    await assert.rejects(user.addServer(clubId, { peerId: nodes[3].peerId.toString(), multiaddrs: ['/ip4/127.0.0.1/tcp/9'] }), { code: 'ERR_NOT_CLUB_OWNER' })
    const seen = await user.resolve(clubId)
    assert.equal(seen.sequence, before + 4n)
    assert.equal(seen.roster.description, 'renamed')
  })

  it('republishing: the owner re-signs with the next sequence, members re-put their cached copy', async function () {
    const result = await owner.republishNow()
    assert.equal(result.failed.length, 0, JSON.stringify(result))
    assert.ok(result.republished.includes(clubId))
    const member = managers.find(m => m !== owner && m.constructor === ClubManager)!
    const memberResult = await member.republishNow()
    assert.ok(memberResult.reput.length > 0 && memberResult.failed.length === 0, JSON.stringify(memberResult))
    // a fresh manager on the owner's folder (after a restart) continues the sequence
    const restarted = new ClubManager({ libp2p: nodes[0], dataDir: join(root, 'owner') })
    const cachedSeq = (await restarted.cached(clubId))!.sequence
    const next = await restarted.publish(clubId)
    assert.equal(next.signed.sequence, cachedSeq + 1n)
  })

  it('roster(): the cached copy while it is valid, the DHT\'s when it is missing, expired or a refresh is asked for', async function () {
    const user = await manager(nodes[12], 'roster-user')
    const cost = async (fn: (onProgress: (e: Event) => void) => Promise<unknown>): Promise<number> => {
      const meter = new QueryCostMeter()
      await fn(meter.onProgress)
      return meter.finish().rpcs
    }
    let signed: Awaited<ReturnType<ClubManager['roster']>> | undefined
    assert.ok(await cost(async onProgress => { signed = await user.roster(clubId, { onProgress }) }) > 0, 'nothing cached: resolved from the DHT')
    assert.equal(signed!.clubId, clubId)
    const current = signed!.sequence
    assert.ok(await cost(async onProgress => await user.roster(clubId, { onProgress, refresh: true })) > 0, 'refresh asks the DHT')
    assert.equal(await cost(async onProgress => { signed = await user.roster(clubId, { onProgress }) }), 0, 'a valid cached roster costs nothing')
    assert.equal(signed!.sequence, current)

    // an expired copy in the cache (seq 1, an hour past its EOL) while the DHT holds seq 2
    const { signed: first } = await owner.createClub({ name: 'expiring' })
    const key = (await new ClubKeyStore(join(root, 'owner')).load(first.clubId))!
    await owner.publish(first.clubId)
    const expired = await signRoster(key, first.roster, 1, { now: Date.now() - 3 * HOUR, validityMs: HOUR })
    await new RosterCache(join(root, 'roster-user')).put(await verifyRosterRecord(first.clubId, expired, { allowExpired: true }))
    assert.equal((await user.cached(first.clubId))!.sequence, 1n)
    let fresh: typeof signed | undefined
    assert.ok(await cost(async onProgress => { fresh = await user.roster(first.clubId, { onProgress }) }) > 0, 'an expired roster is resolved again')
    assert.equal(fresh!.sequence, 2n)
    assert.equal((await user.cached(first.clubId))!.sequence, 2n, 'and the cache holds the new one')
    const nobody = clubIdFromPublicKey((await generateKeyPair('Ed25519')).publicKey)
    await assert.rejects(user.roster(nobody), { code: 'ERR_CLUB_NOT_FOUND' })
  })
})

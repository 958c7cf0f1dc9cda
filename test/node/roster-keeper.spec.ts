import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { ROSTER_KEEP_ALIVE_TAG } from '../../src/node/roster-keeper.js'
import { parseCap, storageIndexOf } from '../../src/immutable/index.js'
import { queryHaveAnswer } from '../../src/protocols/index.js'

async function until (what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

const tcp = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string

describe('node: keeps connections to the servers of its clubs', function () {
  this.timeout(120_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const start = async (dir: string, o: { listen?: string, bootstrap?: string[], storage: boolean, dht: string }): Promise<LafsNode> => {
    const node = await createNode({ dataDir: dir, listen: [o.listen ?? '/ip4/127.0.0.1/tcp/0'], bootstrap: o.bootstrap ?? [], storage: { enabled: o.storage }, gateway: false, dhtProtocol: o.dht })
    nodes.push(node)
    return node
  }
  const folder = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-keeper-'))
    dirs.push(dir)
    return dir
  }
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('dials a server added to a roster, redials it after it restarts, and lets it go once removed', async () => {
    // The server speaks another DHT protocol: nothing but the roster links it to the owner.
    const dhtPeer = await start(await folder(), { storage: false, dht: '/lafs-keeper-test/kad-a/1.0.0' })
    const owner = await start(await folder(), { storage: false, bootstrap: [tcp(dhtPeer)], dht: '/lafs-keeper-test/kad-a/1.0.0' })
    const serverDir = await folder()
    let server = await start(serverDir, { storage: true, dht: '/lafs-keeper-test/kad-b/1.0.0' })
    const serverAddr = tcp(server)
    const serverId = peerIdFromString(server.peerId)
    await owner.bootstrapped
    const connected = (): boolean => owner.libp2p.getConnections(serverId).length > 0

    const clubId = await owner.createClub({ name: 'kept' })
    assert.equal(connected(), false)
    await owner.clubAdd(clubId, serverAddr)
    await until('the owner to dial the new roster server', 15_000, connected)
    assert.ok((await owner.libp2p.peerStore.get(serverId)).tags.has(ROSTER_KEEP_ALIVE_TAG))

    await server.stop()
    await until('the owner to see the server gone', 15_000, () => !connected())
    server = await start(serverDir, { listen: serverAddr.split('/p2p/')[0], storage: true, dht: '/lafs-keeper-test/kad-b/1.0.0' })
    assert.equal(server.peerId, serverId.toString())
    await until('the owner to reconnect to the restarted server', 30_000, connected)

    await owner.clubRemove(clubId, server.peerId)
    await until('the keep-alive tag to go', 15_000, async () => !(await owner.libp2p.peerStore.get(serverId)).tags.has(ROSTER_KEEP_ALIVE_TAG))
  })

  it('a user who joins a club is connected to its servers at once (not at the next 30 s pass), and the first club joined becomes the default', async () => {
    const dht = '/lafs-keeper-test/kad-c/1.0.0'
    const owner = await start(await folder(), { storage: false, dht })
    // The servers speak another DHT: only the roster links them to the user.
    const servers = await Promise.all([0, 1].map(async () => await start(await folder(), { storage: true, dht: '/lafs-keeper-test/kad-d/1.0.0' })))
    const user = await start(await folder(), { storage: false, bootstrap: [tcp(owner)], dht })
    await user.bootstrapped
    const club = await owner.clubs.create({ name: 'joined', servers: servers.map(tcp) })
    const other = await owner.clubs.create({ name: 'second' })
    assert.equal(user.clubs.defaultClub, null)

    const started = Date.now()
    const joined = await user.clubs.join(club.clubId)
    assert.equal(joined.isDefault, true)
    assert.equal(user.clubs.defaultClub, club.clubId)
    const connected = (): boolean => servers.every(s => user.libp2p.getConnections(peerIdFromString(s.peerId)).length > 0)
    await until('the user to dial the club servers', 10_000, connected)
    assert.ok(Date.now() - started < 10_000)

    // A second club does not take the default's place, and the choice is in config.json for the next start.
    assert.equal((await user.clubs.join(other.clubId)).isDefault, false)
    assert.equal(user.clubs.defaultClub, club.clubId)
    const written = JSON.parse(await readFile(join(user.dataDir, 'config.json'), 'utf8')) as { client: { club: string } }
    assert.equal(written.client.club, club.clubId)
    // Uploads without a club name now go through it.
    const put = await user.files.put(new Uint8Array(1000).fill(7), { k: 1, happy: 2, n: 2 })
    assert.equal(put.hintedCap, `${put.cap}@${club.clubId}`)

    // A server holding a share names the club whose roster lists it (a plain-cap reader's way to the rest of the club).
    const cap = parseCap(put.cap)
    if (cap.kind !== 'chk') throw new Error('expected a CHK cap')
    const ask = async (): Promise<string[]> => (await queryHaveAnswer(user.libp2p, peerIdFromString(servers[0].peerId), [storageIndexOf(cap)])).clubs
    await until('the server to name its club', 10_000, async () => (await ask()).includes(club.clubId))
    assert.deepEqual(await ask(), [club.clubId], 'only the club that lists it, not the second club')
    const nothing = await queryHaveAnswer(user.libp2p, peerIdFromString(servers[0].peerId), [new Uint8Array(16)])
    assert.deepEqual(nothing.clubs, [], 'an answer with no share names no club')
    assert.deepEqual((await servers[0].clubs.list()).map(c => c.clubId), [], 'being listed by an owner is not joining: no membership, no upkeep')
  })
  it('reading a hinted cap or showing a club with refresh does not join it: not listed, and the keeper neither tags nor dials its servers', async () => {
    const dht = '/lafs-keeper-test/kad-e/1.0.0'
    const serverDht = '/lafs-keeper-test/kad-f/1.0.0'
    const owner = await start(await folder(), { storage: false, dht })
    // The servers speak another DHT: only the club hint leads the reader to them.
    const servers = await Promise.all([0, 1].map(async () => await start(await folder(), { storage: true, dht: serverDht })))
    const reader = await start(await folder(), { storage: false, bootstrap: [tcp(owner)], dht })
    await reader.bootstrapped
    const club = await owner.clubs.create({ name: 'someone else\'s', servers: servers.map(tcp) })
    const data = new Uint8Array(1000).fill(9)
    const put = await owner.files.put(data, { k: 1, happy: 2, n: 2, club: club.clubId })
    assert.equal(put.hintedCap, `${put.cap}@${club.clubId}`)

    assert.deepEqual(new Uint8Array(await reader.files.get(put.hintedCap)), data)
    assert.equal((await reader.clubs.show(club.clubId, { refresh: true })).clubId, club.clubId)
    assert.deepEqual(await reader.clubs.list(), [], 'a club read is not listed')
    assert.equal(reader.clubs.defaultClub, null)

    // Joining another club runs a keeper pass at once; once its server is dialled the pass has tagged what it keeps.
    const joinedServer = await start(await folder(), { storage: true, dht: serverDht })
    const other = await owner.clubs.create({ name: 'joined', servers: [tcp(joinedServer)] })
    await reader.clubs.join(other.clubId)
    const joinedId = peerIdFromString(joinedServer.peerId)
    await until('the reader to dial the joined club\'s server', 10_000, async () => reader.libp2p.getConnections(joinedId).length > 0 && (await reader.libp2p.peerStore.get(joinedId)).tags.has(ROSTER_KEEP_ALIVE_TAG))
    for (const s of servers) {
      const peer = await reader.libp2p.peerStore.get(peerIdFromString(s.peerId)).catch(() => undefined)
      assert.equal(peer?.tags.has(ROSTER_KEEP_ALIVE_TAG) ?? false, false, `server ${s.peerId} of the read club is kept alive`)
    }
    assert.deepEqual((await reader.clubs.list()).map(c => c.clubId), [other.clubId])
  })
})

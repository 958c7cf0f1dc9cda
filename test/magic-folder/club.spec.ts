import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { CLIENT, contentsIs, MagicGridFixture, waitFor } from './helpers.js'

const tcp = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }

describe('magic folders: through a club', function () {
  this.timeout(120_000)
  const grid = new MagicGridFixture()
  after(async () => { await grid.stop() })

  it('a folder made on a club member syncs through its default club; the invite brings the joiner into the club', async () => {
    const ownerDir = await grid.dir('lafs-mf-own-')
    const owner = await createNode({ dataDir: ownerDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], storage: { enabled: true }, gateway: false, config: { client: CLIENT } })
    grid.nodes.push(owner)
    const others = await Promise.all(Array.from({ length: 3 }, async () => {
      const n = await createNode({ dataDir: await grid.dir('lafs-mf-srv-'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [tcp(owner)], storage: { enabled: true }, gateway: false, config: { client: CLIENT } })
      grid.nodes.push(n)
      return n
    }))
    await Promise.all(others.map(async n => await n.bootstrapped))
    const club = await owner.clubs.create({ name: 'family', local: true, servers: [owner, ...others].map(tcp) })
    const { invite } = await owner.clubs.invite(club.clubId)
    const client = async (): Promise<LafsNode> => {
      const n = await createNode({ dataDir: await grid.dir('lafs-mf-cli-'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [tcp(owner)], storage: { enabled: false }, gateway: false, config: { client: CLIENT } })
      grid.nodes.push(n)
      await n.bootstrapped
      return n
    }
    const a = await client()
    const b = await client()
    await a.clubs.join(invite)
    assert.equal(a.clubs.defaultClub, club.clubId)

    const pa = await grid.dir('lafs-mf-a-')
    const pb = await grid.dir('lafs-mf-b-')
    await a.magicFolders.create('family', pa, { ...FAST, participant: 'alice' })
    const { code } = await a.magicFolders.invite('family', 'bob')
    await b.magicFolders.join(code, 'family', pb, FAST)
    assert.equal(b.clubs.defaultClub, club.clubId, 'joining the folder joined its club')
    await writeFile(join(pa, 'photo.jpg'), 'pixels')
    await waitFor('photo.jpg on bob', 20_000, async () => await contentsIs(join(pb, 'photo.jpg'), 'pixels'))
    await writeFile(join(pb, 'reply.txt'), 'nice')
    await waitFor('reply.txt on alice', 20_000, async () => await contentsIs(join(pa, 'reply.txt'), 'nice'))
    assert.deepEqual((await b.magicFolders.status('family')).errors, [])
  })
})

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'
import { CLIENT, contentsIs, MagicGridFixture, names, waitFor } from './helpers.js'

const tcp = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string
const FAST = { pollSeconds: 1, scanSeconds: 1, settleMs: 200 }

describe('magic folders: through a club', function () {
  this.timeout(120_000)
  const grid = new MagicGridFixture()
  after(async () => { await grid.stop() })

  it('three nodes, two folders through a club: each folder syncs among its own participants only; the invite brings a joiner into the club', async () => {
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

    // A third node joins the first folder; the second folder is bob's and carol's only.
    const c = await client()
    const pc = await grid.dir('lafs-mf-c-')
    await c.magicFolders.join((await a.magicFolders.invite('family', 'carol')).code, 'family', pc, FAST)
    await waitFor('the family folder on carol', 20_000, async () => (await contentsIs(join(pc, 'photo.jpg'), 'pixels')) === true && await contentsIs(join(pc, 'reply.txt'), 'nice'))
    const wb = await grid.dir('lafs-mf-wb-')
    const wc = await grid.dir('lafs-mf-wc-')
    await b.magicFolders.create('work', wb, { ...FAST, participant: 'bob' })
    await c.magicFolders.join((await b.magicFolders.invite('work', 'carol')).code, 'work', wc, FAST)
    await writeFile(join(wc, 'plan.md'), 'v1')
    await writeFile(join(pc, 'from-carol.txt'), 'hello family')
    await waitFor('plan.md on bob', 20_000, async () => await contentsIs(join(wb, 'plan.md'), 'v1'))
    await waitFor('from-carol.txt on alice and bob', 20_000, async () =>
      (await contentsIs(join(pa, 'from-carol.txt'), 'hello family')) === true && await contentsIs(join(pb, 'from-carol.txt'), 'hello family'))
    assert.deepEqual(await names(wb), ['plan.md'], 'the work folder holds only its own files')
    assert.ok(!(await names(pa)).includes('plan.md') && !(await names(pb)).includes('plan.md'), 'work files never reach the family folder')
    assert.deepEqual((await b.magicFolders.list()).map(f => f.name).sort(), ['family', 'work'])
    for (const [n, f] of [[a, 'family'], [b, 'family'], [b, 'work'], [c, 'family'], [c, 'work']] as const) {
      assert.deepEqual((await n.magicFolders.status(f)).errors, [], `${f} on a node reports no problem`)
    }
  })
})

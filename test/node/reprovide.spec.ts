import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'

const LISTEN = ['/ip4/127.0.0.1/tcp/0']
const tcp = (n: LafsNode): string => n.multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws')) as string

async function until (what: string, deadlineMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + deadlineMs
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what} within ${deadlineMs} ms`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

describe('node: a restarted storage server re-announces only what is due', function () {
  this.timeout(120_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  const start = async (dir: string, bootstrap: string[] = []): Promise<LafsNode> => {
    const node = await createNode({ dataDir: dir, listen: LISTEN, bootstrap, storage: { enabled: true }, gateway: false })
    nodes.push(node)
    return node
  }
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('a share announced before the restart is left out of the round after it; a reprovide asked for announces it', async () => {
    const [dirA, dirB] = await Promise.all([mkdtemp(join(tmpdir(), 'lafs-rp-')), mkdtemp(join(tmpdir(), 'lafs-rp-'))])
    dirs.push(dirA, dirB)
    const a = await start(dirA)
    let b = await start(dirB, [tcp(a)])
    await b.bootstrapped
    await b.put(randomBytes(50_000), { servers: [tcp(a), tcp(b)], k: 1, happy: 2, n: 2 })
    await until('b announced its share', 30_000, async () => ((await b.admin.status()).reprovide?.announced ?? 0) >= 1)

    await b.stop()
    b = await start(dirB, [tcp(a)])
    await b.bootstrapped
    await until('the round after bootstrap', 30_000, async () => ((await b.admin.status()).reprovide?.rounds ?? 0) >= 1)
    const after = (await b.admin.status()).reprovide
    assert.equal(after?.skippedFresh, 1, 'the share announced before the restart was left out')
    assert.equal(after?.backlog, 0)
    assert.equal(after?.announced, 0, 'no DHT walk for it')

    const asked = await b.admin.reprovide()
    assert.equal(asked.announced, 1, 'a reprovide asked for announces everything')
  })
})

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type LafsNode } from '../../src/node/index.js'

describe('node: peers learn protocols registered after they connected', function () {
  this.timeout(60_000)
  const dirs: string[] = []
  const nodes: LafsNode[] = []
  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('a handler added later reaches connected peers (a restarted server dials its bootstrap peer before its storage handlers exist)', async () => {
    const start = async (bootstrap: string[]): Promise<LafsNode> => {
      const dir = await mkdtemp(join(tmpdir(), 'lafs-push-'))
      dirs.push(dir)
      const node = await createNode({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap, storage: { enabled: false }, gateway: false })
      nodes.push(node)
      return node
    }
    const a = await start([])
    const b = await start([a.multiaddrs.find(m => m.includes('/tcp/') && !m.includes('/ws')) as string])
    await b.bootstrapped
    const protocolsOfB = async (): Promise<string[]> => (await a.libp2p.peerStore.get(b.libp2p.peerId)).protocols
    // The first identify exchange must be over before the new handler exists.
    const settle = Date.now() + 15_000
    while (!(await protocolsOfB().catch(() => [] as string[])).includes('/ipfs/ping/1.0.0')) {
      if (Date.now() > settle) assert.fail('the first identify never completed')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    await new Promise(resolve => setTimeout(resolve, 500))
    const late = '/lafs-club-test/late/1.0.0'
    assert.equal((await protocolsOfB()).includes(late), false)
    await b.libp2p.handle(late, async stream => { await stream.close() })
    // A push arrives in milliseconds; without one, A only learns it when something re-identifies B, 8-10 s later here.
    const deadline = Date.now() + 4_000
    while (!(await protocolsOfB()).includes(late)) {
      if (Date.now() > deadline) assert.fail('the connected peer did not hear of the new protocol within 4 s')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  })
})

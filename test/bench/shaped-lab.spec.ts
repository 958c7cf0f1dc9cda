/**
 * The machinery of `npm run bench:shaped` (bench/lib/shaped-*.ts): the lab
 * is built with the netlab's helpers under its own prefix, every link is
 * shaped, nothing is left after teardown; nodes run inside namespaces as
 * their own processes and answer calls with deadlines; a config key the
 * build refuses comes back as "refused" (how the helper variant knows it is
 * not available) instead of failing the run. Namespaces need root: without
 * it these tests fail and say so, as `npm run netlab` does.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createShapedLab, destroyShapedLab, shapedNamespaces, wanBytes, SHAPED_INET, type ShapedLab } from '../../bench/lib/shaped-lab.js'
import { helperUpload } from '../../bench/lib/shaped-helper.js'
import { startNodes, startShapedNode, type ShapedNode } from '../../bench/lib/shaped-nodes.js'
import { labNamespaces } from '../../interop/netlab/topology.js'

function needRoot (): void {
  if (process.getuid?.() !== 0) throw new Error('the shaped-link lab needs root (network namespaces, tc): run npm test as root, as .ci/run does')
}

function qdisc (ns: string, dev: string): { kind: string, rate?: number } {
  const out = JSON.parse(execFileSync('ip', ['netns', 'exec', ns, 'tc', '-j', 'qdisc', 'show', 'dev', dev], { encoding: 'utf8' }))
  return { kind: out[0]?.kind, rate: out[0]?.options?.rate }
}

describe('bench/shaped: the shaped-link lab and its node processes', function () {
  this.timeout(120_000)
  let lab: ShapedLab | undefined
  let nodes: ShapedNode[] = []

  afterEach(async () => {
    await Promise.allSettled(nodes.map(async n => { await n.stop() }))
    nodes = []
    destroyShapedLab()
    lab = undefined
  })

  it('builds a star of tbf-shaped links under its own prefix and removes every namespace', () => {
    needRoot()
    const netlabBefore = labNamespaces()
    lab = createShapedLab()
    assert.equal(shapedNamespaces().length, lab.all.length + 1)
    // both directions of a home's link are shaped: its own egress (up) and the internet side's (down)
    const up = qdisc(lab.client.ns, 'wan')
    const down = qdisc(SHAPED_INET, `v${lab.client.net}`)
    assert.equal(up.kind, 'tbf')
    assert.equal(down.kind, 'tbf')
    // tc -j reports bytes per second
    assert.equal(up.rate, 20e6 / 8)
    assert.equal(down.rate, 100e6 / 8)
    assert.equal(qdisc(lab.helper.ns, 'wan').rate, 1e9 / 8)
    assert.ok(Number.isFinite(wanBytes(lab.client).tx))
    const removed = destroyShapedLab()
    assert.equal(removed.length, lab.all.length + 1)
    assert.deepEqual(shapedNamespaces(), [])
    // a netlab run's namespaces are not ours to remove
    assert.deepEqual(labNamespaces(), netlabBefore)
  })

  it('runs nodes inside namespaces, moves bytes no faster than the shaped line, and reports a refused config key', async () => {
    needRoot()
    lab = createShapedLab()
    const [server, client] = nodes = [...await startNodes([lab.servers[0]], { storage: true }), ...await startNodes([lab.client], { storage: false })]
    assert.match(server.addr, new RegExp(`^/ip4/${lab.servers[0].ip.replace(/\./g, '\\.')}/tcp/\\d+/p2p/`))
    const size = 2 * 2 ** 20
    const before = wanBytes(lab.client)
    const { ms } = await client.call<{ ms: number }>('rawUp', { addr: server.addr, size }, 30_000)
    const mbit = size * 8 / 1e6 / (ms / 1000)
    // the client's uplink is 20 Mbit/s: a slow machine may be slower, never faster
    assert.ok(mbit < 21, `raw stream through a 20 Mbit/s line at ${mbit.toFixed(1)} Mbit/s: the line is not shaped`)
    assert.ok(wanBytes(lab.client).tx - before.tx >= size, 'the bytes did not cross the client\'s link')
    await assert.rejects(client.call('noSuchOperation', {}, 10_000), /no operation "noSuchOperation"/)

    const refused = await startShapedNode(lab.reader, { storage: false, config: { notAKeyOfThisBuild: { enabled: true } } })
    assert.ok('refused' in refused, 'a config key the build does not know must come back as refused')
    assert.match(refused.refused, /notAKeyOfThisBuild/)
  })

  it('never reports a helper figure for an upload whose client sent the shares itself', async () => {
    needRoot()
    lab = createShapedLab()
    nodes = [...await startNodes(lab.servers.slice(0, 2), { storage: true }), ...await startNodes([lab.client], { storage: false })]
    const [s0, s1, client] = nodes
    // connected, so a build whose put ignores `helper` uploads to these two by itself
    await client.call('connect', { addrs: [s0.addr, s1.addr], timeoutMs: 20_000 }, 30_000)
    // a node that starts (a config every build knows) but is no helper: the client uploads 2 shares of 1 (2x the file) itself,
    // or, on a build with helpers, its put through a non-helper fails; either way no helper figure
    const h = await helperUpload({
      helperHost: lab.helper,
      client,
      servers: [s0, s1],
      put: { seedHex: 'ab'.repeat(32), size: 256 * 1024, k: 1, n: 2, happy: 2 },
      watch: { hosts: [lab.client], pids: {} },
      timeoutMs: 30_000,
      log: () => {},
      config: { repair: { intervalSeconds: 0 } }
    })
    assert.equal(h.ran, false)
    assert.match(h.ran ? '' : h.why, /put ignored the helper option: the client's link carried 2\.\d+x the file|helper upload FAILED/)
  })
})

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { multiaddr } from '@multiformats/multiaddr'
import { FrameReader, writeFrame } from '../../src/protocols/framing/index.js'
import { HELPER_PROTOCOL, registerHelperProtocol, type HelperCheck } from '../../src/protocols/index.js'
import { createUploadHelper } from '../../src/helper/index.js'
import { uploadViaHelper } from '../../src/client/index.js'
import { ctrStreamAt, planChk, type ChkPlan } from '../../src/immutable/index.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HelperRequest, HelperResponse } from '../../src/protocols/helper/message/helper.js'
import { createTestLibp2p, PARAMS, SECRET, startGrid, startHelper, stopGrid, stopHelper, type HelperNode } from './helpers.js'
import type { GridServer } from '../fixtures/grid.js'
import type { Libp2p, Stream } from '@libp2p/interface'

interface Raw { stream: Stream, reader: FrameReader, send: (req: Partial<HelperRequest>) => Promise<void>, answer: () => Promise<HelperResponse> }

async function raw (client: Libp2p, helper: HelperNode): Promise<Raw> {
  const stream = await client.dialProtocol(multiaddr(helper.addr), HELPER_PROTOCOL)
  const reader = new FrameReader(stream, { maxFrameLength: 2 ** 20 })
  return {
    stream,
    reader,
    send: async req => { await writeFrame(stream, HelperRequest.encode(req)) },
    answer: async () => {
      const f = await reader.read()
      assert.ok(f != null, 'an answer')
      return HelperResponse.decode(f)
    }
  }
}

const check = (size = 100_000, si = randomBytes(16)): NonNullable<HelperRequest['check']> => ({ storageIndex: si, neededShares: 2, happy: 3, totalShares: 5, segmentSize: 65_536, size, club: '' })

describe('helper: protocol refusals and limits', function () {
  this.timeout(30_000)
  let grid: GridServer[] = []
  let client: Libp2p | undefined
  const helpers: HelperNode[] = []
  before(async () => {
    grid = await startGrid(3)
    client = await createTestLibp2p()
  })
  after(async () => {
    await client?.stop()
    for (const h of helpers) await stopHelper(h)
    await stopGrid(grid)
  })
  const helper = async (o: Parameters<typeof startHelper>[1] = {}, protocol?: Parameters<HelperNode['helper']['start']>[1]): Promise<HelperNode> => {
    const h = await startHelper(grid, o, protocol)
    helpers.push(h)
    return h
  }

  it('refuses data before the check, data at another offset, and an impossible check', async () => {
    const h = await helper()
    const c = client as Libp2p
    let r = await raw(c, h)
    await r.send({ data: { offset: 0, data: new Uint8Array(10) } })
    assert.equal((await r.answer()).error?.code, 'ERR_OUT_OF_ORDER')
    r.reader.dispose()

    r = await raw(c, h)
    await r.send({ check: check() })
    assert.equal((await r.answer()).check?.haveBytes, 0)
    await r.send({ data: { offset: 5, data: new Uint8Array(10) } })
    assert.equal((await r.answer()).error?.code, 'ERR_OUT_OF_ORDER')
    r.reader.dispose()

    r = await raw(c, h)
    await r.send({ check: { ...check(), storageIndex: new Uint8Array(15) } })
    assert.equal((await r.answer()).error?.code, 'ERR_MALFORMED')
    r.reader.dispose()

    r = await raw(c, h)
    await r.send({ check: { ...check(), segmentSize: 65_535 } })
    assert.equal((await r.answer()).error?.code, 'ERR_MALFORMED', 'a segment size that is not a multiple of k')
    r.reader.dispose()
  })

  it('rate-limits uploads started per peer, and says when to come back', async () => {
    const h = await helper({}, { rateLimit: { tokensPerSecond: 0.5, burst: 1 } })
    const c = client as Libp2p
    const first = await raw(c, h)
    await first.send({ check: check() })
    assert.equal((await first.answer()).check?.haveBytes, 0)
    first.reader.dispose()
    const second = await raw(c, h)
    await second.send({ check: check() })
    const res = await second.answer()
    assert.equal(res.error?.code, 'ERR_SLOW_DOWN')
    assert.ok(res.retryAfterMs > 0)
    second.reader.dispose()
  })

  it('with a client list (helper.clients), refuses any other peer before it reserves anything', async () => {
    const h = await helper({ allowClient: peer => peer === 'someone-else' })
    const s = await raw(client as Libp2p, h)
    await s.send({ check: check(10_000) })
    assert.equal((await s.answer()).error?.code, 'ERR_HELPER_NOT_ALLOWED')
    s.reader.dispose()
    assert.equal(h.helper.stats().partials.length, 0, 'no reservation')
  })

  it('one client holds at most 2 upload slots, whatever maxUploads allows', async () => {
    const h = await helper({ maxUploads: 8 })
    const c = client as Libp2p
    const held = []
    for (let i = 0; i < 2; i++) {
      const s = await raw(c, h)
      await s.send({ check: check(10_000) })
      assert.equal((await s.answer()).check?.haveBytes, 0)
      held.push(s)
    }
    const third = await raw(c, h)
    await third.send({ check: check(10_000) })
    assert.equal((await third.answer()).error?.code, 'ERR_HELPER_BUSY')
    third.reader.dispose()
    for (const s of held) { s.stream.abort(new Error('test: done')); s.reader.dispose() }
  })

  it('refuses uploads beyond maxUploads and beyond the total spool; a partial upload nobody sends counts only the bytes it holds', async () => {
    const h = await helper({ maxUploads: 2, spoolBytes: 150_000 })
    const c = client as Libp2p
    const holding = await raw(c, h)
    await holding.send({ check: check(100_000) })
    assert.equal((await holding.answer()).check?.haveBytes, 0)
    await holding.send({ data: { offset: 0, data: randomBytes(30_000) } })
    const full = await raw(c, h)
    await full.send({ check: check(100_000) })
    assert.equal((await full.answer()).error?.code, 'ERR_SPOOL_FULL', 'an upload being sent reserves its whole size: 100 000 + 100 000 > 150 000')
    full.reader.dispose()
    const second = await raw(c, h)
    await second.send({ check: check(10_000) })
    assert.equal((await second.answer()).check?.haveBytes, 0)
    const busy = await raw(c, h)
    await busy.send({ check: check() })
    const res = await busy.answer()
    assert.equal(res.error?.code, 'ERR_HELPER_BUSY')
    assert.ok(res.retryAfterMs > 0)
    busy.reader.dispose()
    const deadline = Date.now() + 5_000
    while (h.helper.stats().partials.every(p => p.have !== 30_000) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    holding.stream.abort(new Error('test: the client goes away'))
    holding.reader.dispose()
    // once the helper sees the stream end, the partial keeps its 30 000 bytes for a resume and reserves no more
    let again: HelperResponse | undefined
    while (Date.now() < deadline) {
      const r = await raw(c, h)
      await r.send({ check: check(100_000) })
      again = await r.answer()
      r.reader.dispose()
      if (again.error?.code !== 'ERR_HELPER_BUSY') break
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.equal(again?.check?.haveBytes, 0, `30 000 held + 10 000 + 100 000 fit 150 000 (got ${again?.error?.code ?? 'an offset'})`)
    assert.equal(h.helper.stats().partials.find(p => p.have === 30_000)?.active, false)
    second.stream.abort(new Error('test: done'))
    second.reader.dispose()
  })

  it('refuses an encoding that would hold too much per segment or send too much per byte, and a first frame larger than a check', async () => {
    const h = await helper()
    const c = client as Libp2p
    let r = await raw(c, h)
    await r.send({ check: { ...check(), neededShares: 1, totalShares: 64, segmentSize: 2 * 2 ** 20 } })
    let res = await r.answer()
    assert.equal(res.error?.code, 'ERR_ENCODING_REFUSED', '64 blocks of 2 MiB per segment')
    assert.match(res.error?.message ?? '', /segments of at most \d+ bytes/)
    r.reader.dispose()
    r = await raw(c, h)
    await r.send({ check: { ...check(), neededShares: 1, totalShares: 20, segmentSize: 4096 } })
    assert.equal((await r.answer()).error?.code, 'ERR_ENCODING_REFUSED', '20 bytes to the grid per byte spooled')
    r.reader.dispose()
    r = await raw(c, h)
    await r.send({ check: { ...check(), storageIndex: randomBytes(1000) } })
    res = await r.answer()
    assert.equal(res.error?.code, 'ERR_TOO_LARGE', 'a stranger cannot make the helper read a large frame before its check is answered')
    r.reader.dispose()
    assert.equal(h.helper.stats().partials.length, 0)
  })

  it('takes the slot from an upload that sends less than the minimum rate; a new attempt resumes from what arrived', async () => {
    const h = await helper({}, { minRate: { bytes: 50_000, windowMs: 300 } })
    const c = client as Libp2p
    const si = randomBytes(16)
    const r = await raw(c, h)
    await r.send({ check: check(100_000, si) })
    assert.equal((await r.answer()).check?.haveBytes, 0)
    const answer = r.answer()
    const started = Date.now()
    let offset = 0
    const got: { res?: HelperResponse } = {}
    answer.then(a => { got.res = a }, () => {})
    while (got.res == null && Date.now() - started < 5_000) {
      await r.send({ data: { offset, data: randomBytes(1000) } }).catch(() => {})
      offset += 1000
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    assert.equal(got.res?.error?.code, 'ERR_UPLOAD_TOO_SLOW')
    r.reader.dispose()
    const again = await raw(c, h)
    await again.send({ check: check(100_000, si) })
    const resumed = (await again.answer()).check?.haveBytes ?? 0
    assert.ok(resumed >= 1000 && resumed < 50_000, `resumes at ${resumed}`)
    again.stream.abort(new Error('test: done'))
    again.reader.dispose()
  })

  it('deletes a partial upload nobody resumes within partialExpiryMs', async () => {
    const h = await helper({ partialExpiryMs: 1_000 })
    const c = client as Libp2p
    const r = await raw(c, h)
    await r.send({ check: check() })
    await r.answer()
    await r.send({ data: { offset: 0, data: randomBytes(1000) } })
    await r.stream.close()
    r.reader.dispose()
    const deadline = Date.now() + 8_000
    let seen = false
    while (Date.now() < deadline) {
      const partials = h.helper.stats().partials
      if (partials.length > 0) seen = true
      if (seen && partials.length === 0) break
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    assert.ok(seen, 'the partial upload was spooled')
    assert.equal(h.helper.stats().partials.length, 0, 'and deleted after its expiry')
    assert.equal(h.helper.stats().spoolBytes, 0)
  })

  it('what reaches the helper is the storage index, the parameters and the crypttext: never the key or the plaintext', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lafs-helper-spy-'))
    const node = await createTestLibp2p()
    const service = createUploadHelper({ opener: node, dir, leaseSecret: randomBytes(32), servers: async () => grid.map(s => s.info) })
    const checks: HelperCheck[] = []
    const chunks: Uint8Array[] = []
    try {
      await service.start()
      // the service behind the protocol, seen from the handler's side
      await registerHelperProtocol(node, {
        open: async (peer, check) => {
          checks.push(check)
          const opened = await service.open(peer, check)
          if ('done' in opened) return opened
          const inner = opened.session
          return {
            session: {
              get haveBytes () { return inner.haveBytes },
              append: async (data: Uint8Array) => { chunks.push(data.slice()); await inner.append(data) },
              finish: inner.finish,
              release: inner.release
            }
          }
        }
      })
      const data = randomBytes(200_000)
      const res = await uploadViaHelper(client as Libp2p, data, {
        helper: `${node.getMultiaddrs()[0].toString()}`, ...PARAMS, convergenceSecret: SECRET, leaseSecret: randomBytes(32)
      })
      const plan = await planChk(data, { ...PARAMS, convergenceSecret: SECRET }) as ChkPlan
      assert.equal(checks.length, 1)
      assert.deepEqual(Object.keys(checks[0]).sort(), ['happy', 'k', 'n', 'segmentSize', 'size', 'storageIndex'])
      assert.ok(Buffer.from(checks[0].storageIndex).equals(plan.storageIndex))
      const received = Buffer.concat(chunks)
      assert.ok(received.equals(ctrStreamAt(plan.key, 0).update(data)), 'exactly the crypttext, once')
      assert.equal(received.indexOf(Buffer.from(plan.key)), -1)
      assert.ok(!received.subarray(0, 4096).equals(data.subarray(0, 4096)))
      assert.match(res.cap, /^URI:CHK:/)
    } finally {
      await node.stop()
      await service.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

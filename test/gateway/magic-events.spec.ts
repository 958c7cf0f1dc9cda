import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { magicEvents } from '../../src/gateway/magic-events.js'
import { startHarness, type GatewayHarness } from './helpers.js'
import { detail, sharedFolder, sse, type MagicPair, type SseClient, type SseEvent } from './magic-helpers.js'
import { contentsIs, waitFor } from '../magic-folder/helpers.js'

const PATH = '/api/magic-folders/events'
const CROSS_MS = 20_000

describe('gateway: magic-folder events as server-sent events', function () {
  this.timeout(90_000)
  let h: GatewayHarness
  let pair: MagicPair
  const open: SseClient[] = []
  const auth = (): Record<string, string> => ({ Authorization: `Bearer ${h.gateway.apiToken}` })
  const follow = async (query = '', headers: Record<string, string> = {}): Promise<SseClient> => {
    const c = await sse(h.gateway.url, PATH + query, { ...auth(), ...headers })
    open.push(c)
    return c
  }

  before(async () => {
    h = await startHarness()
    pair = await sharedFolder(h, 'photos')
  })
  afterEach(() => { for (const c of open.splice(0)) c.close() })
  after(async () => {
    await pair?.stop()
    await h?.stop()
  })

  it('needs the API token (header or the page\'s cookie, never a query parameter) and refuses other origins', async () => {
    const none = await sse(h.gateway.url, PATH)
    assert.equal(none.status, 401)
    await none.closed
    assert.match(none.body(), /ERR_UNAUTHORIZED/)
    const query = await sse(h.gateway.url, `${PATH}?token=${h.gateway.apiToken}`)
    assert.equal(query.status, 401)
    await query.closed
    const foreign = await sse(h.gateway.url, PATH, { ...auth(), Origin: 'https://evil.example' })
    assert.equal(foreign.status, 403)
    await foreign.closed
    const cookie = await sse(h.gateway.url, PATH, { Cookie: `lafs_api=${h.gateway.apiToken}` })
    open.push(cookie)
    assert.equal(cookie.status, 200)
    assert.match(String(cookie.headers['content-type']), /^text\/event-stream/)
    const snap = await cookie.next(e => e.event === 'snapshot', 5000, 'the snapshot')
    const folders = detail(snap).folders as Array<{ name: string, localPath: string }>
    assert.deepEqual(folders.map(f => f.name), ['photos'])
    assert.equal(folders[0].localPath, pair.pathA)
    assert.doesNotMatch(snap.data, /URI:/, 'no cap in the stream')
  })

  it('one file: upload queued → started → progress → done on this node, download queued → started → done on the other; then replay and Last-Event-ID', async () => {
    const live = await follow('?replay=0')
    await live.next(e => e.event === 'snapshot', 5000, 'the snapshot')
    assert.equal(live.events[0].event, 'snapshot', 'the snapshot comes first')
    const otherEvents: Array<{ name: string, detail: Record<string, unknown> }> = []
    for (const name of ['download-queued', 'download-started', 'download-progress', 'download-done'] as const) {
      pair.other.magicFolders.events.addEventListener(name, e => { if (e.detail.relpath === 'big.bin') otherEvents.push({ name, detail: e.detail as unknown as Record<string, unknown> }) })
    }
    const size = 700 * 1024
    await writeFile(join(pair.pathA, 'big.bin'), Buffer.alloc(size, 3))
    const done = await live.next(e => e.event === 'upload-done' && detail(e).relpath === 'big.bin', CROSS_MS, 'upload-done of big.bin')
    const mine = live.events.filter(e => e.event.startsWith('upload-') && detail(e).relpath === 'big.bin')
    const names = mine.map(e => e.event).filter((n, i, all) => n !== 'upload-progress' || all[i - 1] !== 'upload-progress')
    assert.deepEqual(names, ['upload-queued', 'upload-started', 'upload-progress', 'upload-done'], mine.map(e => e.event).join(' '))
    const progress = mine.filter(e => e.event === 'upload-progress').map(detail)
    assert.deepEqual(progress.at(-1), { ...progress.at(-1), bytesDone: size, bytesTotal: size, folder: 'photos' })
    assert.deepEqual({ ...detail(done), at: 0 }, { folder: 'photos', at: 0, relpath: 'big.bin', kind: 'change', size })
    const ids = live.events.filter(e => e.id !== undefined).map(e => Number(e.id))
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids increase')
    // A scan announced it, and a status with the upload counted follows the scan.
    assert.ok(live.events.some(e => e.event === 'scan-started'))
    await live.next(e => e.event === 'status' && (detail(e).uploads as number) >= 1, 10_000, 'a status after the scan')

    await waitFor('big.bin on the other node', CROSS_MS, async () => await contentsIs(join(pair.pathB, 'big.bin'), Buffer.alloc(size, 3).toString()))
    await waitFor('download-done on the other node', 5000, () => otherEvents.some(e => e.name === 'download-done') ? true : undefined)
    const theirs = otherEvents.map(e => e.name).filter((n, i, all) => n !== 'download-progress' || all[i - 1] !== 'download-progress')
    assert.deepEqual(theirs, ['download-queued', 'download-started', 'download-progress', 'download-done'])
    assert.equal(otherEvents.at(-1)?.detail.outcome, 'created')
    assert.equal(otherEvents.at(-1)?.detail.participant, 'alice')
    // bob's acknowledgement reaches alice's next poll: not shown as a download there.
    await live.next(e => e.event === 'poll-finished', 10_000, 'a poll after bob acknowledged')
    assert.ok(!live.events.some(e => e.event === 'download-queued' && detail(e).relpath === 'big.bin'))

    // A new subscriber gets the snapshot and then the recent events (progress is live only).
    const late = await follow('?replay=256')
    await late.next(e => e.event === 'upload-done' && detail(e).relpath === 'big.bin', 5000, 'upload-done replayed')
    assert.equal(late.events[0].event, 'snapshot')
    assert.ok(!late.events.some(e => e.event === 'upload-progress'), 'progress is not replayed')
    // Reconnecting after the queued event: exactly what came after it, in order.
    const queued = mine.find(e => e.event === 'upload-queued') as SseEvent
    const resumed = await follow('', { 'Last-Event-ID': String(queued.id) })
    await resumed.next(e => e.event === 'upload-done' && detail(e).relpath === 'big.bin', 5000, 'upload-done after Last-Event-ID')
    const after = resumed.events.filter(e => e.id !== undefined)
    assert.ok(Number(after[0].id) > Number(queued.id))
    assert.equal(after.find(e => detail(e).relpath === 'big.bin')?.event, 'upload-started')
    assert.ok(!after.some(e => e.event === 'upload-queued' && detail(e).relpath === 'big.bin'))
  })

  it('new intervals, a conflict, and the participant whose change caused it reach the stream', async () => {
    const live = await follow('?replay=0')
    await live.next(e => e.event === 'snapshot', 5000, 'the snapshot')
    // alice stops polling for now, so both sides change the file before she looks.
    await h.node.magicFolders.setIntervals('photos', { pollSeconds: 3600 })
    const iv = await live.next(e => e.event === 'intervals-changed', 5000, 'intervals-changed')
    assert.equal(detail(iv).pollSeconds, 3600)
    assert.equal(detail(iv).scanSeconds, 1)
    await live.next(e => e.event === 'status' && detail(e).pollSeconds === 3600, 5000, 'a status with the new interval')
    const bobUploaded = new Promise<void>(resolve => {
      pair.other.magicFolders.events.addEventListener('upload-done', e => { if (e.detail.relpath === 'both.txt') resolve() })
    })
    await writeFile(join(pair.pathA, 'both.txt'), 'alice wrote this')
    await writeFile(join(pair.pathB, 'both.txt'), 'bob wrote that')
    await live.next(e => e.event === 'upload-done' && detail(e).relpath === 'both.txt', CROSS_MS, 'alice\'s upload')
    await bobUploaded
    const from = live.events.length
    await h.node.magicFolders.setIntervals('photos', { pollSeconds: 1 })
    const conflict = await live.next(e => e.event === 'conflict', CROSS_MS, 'the conflict', from)
    assert.equal(detail(conflict).relpath, 'both.txt')
    assert.equal(detail(conflict).participant, 'bob')
    assert.match(String(detail(conflict).file), /^both\.txt\.conflict-bob-\d{8}T\d{6}Z$/)
    assert.equal(await readFile(join(pair.pathA, String(detail(conflict).file)), 'utf8'), 'bob wrote that')
    const doneEv = await live.next(e => e.event === 'download-done' && detail(e).relpath === 'both.txt', 5000, 'download-done', from)
    assert.equal(detail(doneEv).outcome, 'conflict')
    const changed = await live.next(e => e.event === 'participant-changed' && detail(e).relpath === 'both.txt', 5000, 'participant-changed', from)
    assert.equal(detail(changed).participant, 'bob')
    const order = live.events.slice(from).filter(e => detail(e).relpath === 'both.txt').map(e => e.event)
    assert.deepEqual(order.filter(n => n !== 'download-progress'), ['download-queued', 'download-started', 'participant-changed', 'conflict', 'download-done'])
    const status = await live.next(e => e.event === 'status' && (detail(e).conflicts as unknown[]).length > 0, 5000, 'a status with the conflict', from)
    assert.equal((detail(status).conflicts as Array<{ file: string }>)[0].file, detail(conflict).file)
  })

  it('at most 16 subscribers: the 17th is refused with 503, and a place frees up when one leaves', async () => {
    const clients = await Promise.all(Array.from({ length: 16 }, async () => await follow('?replay=0')))
    assert.ok(clients.every(c => c.status === 200))
    const refused = await sse(h.gateway.url, PATH, auth())
    assert.equal(refused.status, 503)
    await refused.closed
    assert.match(refused.body(), /ERR_TOO_MANY_SUBSCRIBERS/)
    clients[0].close()
    const again = await waitFor('a free place', 5000, async () => {
      const c = await sse(h.gateway.url, PATH + '?replay=0', auth())
      if (c.status === 200) return c
      await c.closed
      return undefined
    })
    open.push(again)
    await again.next(e => e.event === 'snapshot', 5000, 'the snapshot')
  })

  it('a client that stops reading is dropped once its unsent events pass the limit; heartbeats keep idle streams open', async () => {
    const hub = magicEvents({ node: h.node, maxBufferedBytes: 64 * 1024, heartbeatMs: 50 })
    const server: Server = createServer((req, res) => {
      hub.handle(req, res, new URL(req.url ?? '/', 'http://x')).catch(() => { res.destroy() })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const reader = await sse(base, PATH)
      const slow = await sse(base, PATH)
      await waitFor('heartbeat comments', 5000, () => reader.comments >= 2 ? true : undefined)
      slow.pause()
      assert.equal(hub.subscribers, 2)
      // Real events of the node, each big: a problem report with a long message.
      const message = 'x'.repeat(32 * 1024)
      for (let i = 0; i < 800 && hub.subscribers === 2; i++) {
        h.node.magicFolders.events.dispatchEvent(new CustomEvent('error', { detail: { folder: 'nowhere', at: Date.now(), code: 'ERR_TEST', message } }))
        await new Promise(resolve => setImmediate(resolve))
      }
      await waitFor('the slow client dropped', 5000, () => hub.subscribers === 1 ? true : undefined)
      // (its socket's end waits behind the data it never read: only the server's side is checked)
      slow.close()
      assert.ok(reader.events.filter(e => e.event === 'error').length >= 10, 'the reading client got the events')
    } finally {
      hub.close()
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  })
})

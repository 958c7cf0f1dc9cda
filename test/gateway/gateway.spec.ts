import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { parseCap } from '../../src/immutable/index.js'
import { parseRange } from '../../src/gateway/range.js'
import { http, startHarness, type GatewayHarness } from './helpers.js'


describe('gateway: HTTP over a real node and storage grid', function () {
  this.timeout(60_000)
  let h: GatewayHarness
  let file: Buffer
  let cap: string

  before(async () => {
    h = await startHarness({ locateTimeoutMs: 2500 })
    file = randomBytes(300_000)
    const res = await http(h.gateway.url, 'PUT', '/uri', file)
    assert.equal(res.status, 200, res.body.toString())
    cap = res.body.toString()
    assert.match(cap, /^URI:CHK:/)
  })
  after(async () => { await h?.stop() })

  it('PUT /uri answers the cap as text; the same bytes come back from GET /uri/<cap>', async () => {
    const parsed = parseCap(cap)
    assert.equal(parsed.kind, 'chk')
    assert.equal(parsed.kind === 'chk' ? parsed.size : -1, file.length)
    const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], String(file.length))
    assert.equal(res.headers['content-type'], 'application/octet-stream')
    assert.equal(res.headers['accept-ranges'], 'bytes')
    assert.ok(res.body.equals(file), 'downloaded bytes differ from the upload')
    // Tahoe's form, GET /uri?uri=<cap>, and an unescaped cap in the path
    const tahoe = await http(h.gateway.url, 'GET', `/uri?uri=${encodeURIComponent(cap)}`)
    assert.ok(tahoe.body.equals(file))
    const raw = await http(h.gateway.url, 'GET', `/uri/${cap}`)
    assert.ok(raw.body.equals(file))
  })

  it('GET /uri/<cap>?explain=true carries the explain of the locate the download ran', async () => {
    const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}?explain=true`)
    assert.equal(res.status, 200)
    assert.ok(res.body.equals(file))
    const explain = JSON.parse(String(res.headers['x-lafs-explain']))
    assert.equal(explain.way, 'located')
    assert.ok(['club', 'dht'].includes(explain.explain.chosen))
    assert.ok(explain.servers.length >= 2, 'k=2: at least two servers hold shares')
    assert.ok(explain.explain.runs.some((r: { distinctShares: number }) => r.distinctShares >= 2))
    const plain = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}`)
    assert.equal(plain.headers['x-lafs-explain'], undefined, 'only sent when asked for')
  })

  it('PUT /uri?t=json answers { cap, hintedCap }; the same content gives the same cap (convergence)', async () => {
    const res = await http(h.gateway.url, 'PUT', '/uri?t=json', file)
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /application\/json/)
    const body = JSON.parse(res.body.toString())
    assert.equal(body.cap, cap)
    // Uploaded through the node's default club, so the club is the hint.
    assert.equal(body.hintedCap, `${cap}@${h.clubId}`)
    const viaAccept = await http(h.gateway.url, 'PUT', '/uri', Buffer.from('x'.repeat(40)), { Accept: 'application/json' })
    const lit = JSON.parse(viaAccept.body.toString())
    assert.match(lit.cap, /^URI:LIT:/)
  })

  it('Range requests return exactly the asked bytes with 206 and Content-Range', async () => {
    const size = file.length
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-99', 0, 99],
      ['bytes=1000-131071', 1000, 131071],
      ['bytes=131070-262150', 131070, 262150], // crosses segment boundaries
      [`bytes=${size - 10}-`, size - 10, size - 1], // open
      ['bytes=-1', size - 1, size - 1], // suffix
      ['bytes=-5000', size - 5000, size - 1],
      [`bytes=-${size * 2}`, 0, size - 1], // suffix longer than the file: the whole file
      [`bytes=299990-${size * 10}`, 299990, size - 1] // end past the file is cut
    ]
    for (const [range, start, end] of cases) {
      const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}`, undefined, { Range: range })
      assert.equal(res.status, 206, range)
      assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${size}`, range)
      assert.equal(res.headers['content-length'], String(end - start + 1), range)
      assert.ok(res.body.equals(file.subarray(start, end + 1)), `wrong bytes for ${range}`)
    }
  })

  it('unsatisfiable ranges answer 416 with Content-Range: bytes */size; multi-ranges get the whole file', async () => {
    for (const range of [`bytes=${file.length}-`, `bytes=${file.length + 5}-${file.length + 10}`, 'bytes=-0']) {
      const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}`, undefined, { Range: range })
      assert.equal(res.status, 416, range)
      assert.equal(res.headers['content-range'], `bytes */${file.length}`)
    }
    const multi = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}`, undefined, { Range: 'bytes=0-1,5-6' })
    assert.equal(multi.status, 200)
    assert.equal(multi.body.length, file.length)
  })

  it('HEAD answers the headers GET would, without a body; ?filename= sets Content-Type', async () => {
    const res = await http(h.gateway.url, 'HEAD', `/uri/${encodeURIComponent(cap)}?filename=notes.txt`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], String(file.length))
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.body.length, 0)
    const ranged = await http(h.gateway.url, 'HEAD', `/uri/${encodeURIComponent(cap)}?filename=a.PNG`, undefined, { Range: 'bytes=-10' })
    assert.equal(ranged.status, 206)
    assert.equal(ranged.headers['content-length'], '10')
    assert.equal(ranged.headers['content-type'], 'image/png')
  })

  it('a bad cap answers 400 with the reason', async () => {
    const bad = cap.slice(0, -3) + 'zzz'
    for (const text of ['URI:CHK:nonsense', bad, 'hello', `${cap}@`]) {
      const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(text)}`)
      assert.equal(res.status, 400, text)
      assert.equal(res.headers['x-lafs-error-code'], 'ERR_INVALID_CAP')
      assert.ok(res.body.toString().length > 10)
    }
    const res = await http(h.gateway.url, 'GET', '/uri/URI:CHK:nonsense', undefined, { Accept: 'application/json' })
    assert.equal(res.status, 400)
    const body = JSON.parse(res.body.toString())
    assert.equal(body.error.code, 'ERR_INVALID_CAP')
    assert.match(body.error.message, /cap/)
  })

  it('a cap nobody holds answers 404 within the locate deadline', async () => {
    // A valid cap for bytes that were never uploaded: same size, different key.
    const parsed = parseCap(cap)
    assert.equal(parsed.kind, 'chk')
    const unknown = cap.replace(/^URI:CHK:[a-z2-7]+/, 'URI:CHK:' + 'a'.repeat(26))
    assert.notEqual(unknown, cap)
    const started = Date.now()
    const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(unknown)}`)
    const ms = Date.now() - started
    assert.equal(res.status, 404, res.body.toString())
    assert.ok(ms < 10_000, `took ${ms} ms`)
  })

  it('a download that finds nothing before the deadline answers 404 (a server that never answers)', async () => {
    // A TCP listener that accepts and stays silent: the libp2p handshake hangs.
    const silent = createServer(socket => { sockets.push(socket) })
    const sockets: Socket[] = []
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    try {
      const port = (silent.address() as AddressInfo).port
      const stranger = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      const fake = `/ip4/127.0.0.1/tcp/${port}/p2p/${stranger}`
      const started = Date.now()
      const res = await http(h.gateway.url, 'GET', `/uri/${encodeURIComponent(cap)}?server=${encodeURIComponent(fake)}`)
      const ms = Date.now() - started
      assert.equal(res.status, 404, res.body.toString())
      assert.match(res.body.toString(), /within 3 s/)
      assert.ok(ms >= 2400 && ms < 8000, `took ${ms} ms, deadline 2.5 s`)
      const s = await h.gateway.status()
      assert.equal(s.transfers.length, 0, 'the timed-out download is still listed')
    } finally {
      for (const s of sockets) s.destroy()
      silent.close()
    }
  })

  it('/status?t=json reports peers, upload readiness, storage, totals; /status serves the HTML page', async () => {
    const res = await http(h.gateway.url, 'GET', '/status?t=json')
    assert.equal(res.status, 200)
    const s = JSON.parse(res.body.toString())
    assert.equal(s.peerId, h.node.peerId)
    assert.equal(typeof s.uploadReady, 'boolean')
    assert.equal(s.happy, 3)
    assert.ok(s.storageServersConnected >= 3, `only ${s.storageServersConnected} storage servers seen`)
    assert.equal(s.uploadReady, true)
    const gridIds = new Set(h.grid.map(g => g.info.peerId))
    const gridPeers = s.peers.filter((p: any) => gridIds.has(p.peerId))
    assert.equal(gridPeers.length, h.grid.length)
    for (const p of gridPeers) {
      assert.equal(p.connection, 'direct')
      assert.equal(p.storageServer, true)
    }
    assert.deepEqual(Object.keys(s.storage).sort(), ['accounts', 'bytes', 'capacity', 'incoming', 'shares'])
    // a loopback node has no public address and no relay
    assert.deepEqual(s.reachability, { kind: 'unknown', publicAddrs: [], relays: [] })
    assert.deepEqual(s.relay, { serving: false, reservations: 0, unlimited: 0, relayedBytes: 0 }, 'relay.server "auto" waits for a public address')
    assert.ok(s.totals.uploadsSucceeded >= 1)
    assert.ok(s.totals.downloadsSucceeded >= 1)
    assert.ok(Array.isArray(s.transfers))
    assert.ok(Array.isArray(s.corruption))
    assert.ok(Array.isArray(s.leasesExpiringSoon))
    assert.equal(s.gateway.url, h.gateway.url)
    assert.ok(s.reprovide !== null && typeof s.reprovide.backlog === 'number')
    const page = await http(h.gateway.url, 'GET', '/status')
    assert.equal(page.status, 200)
    assert.match(String(page.headers['content-type']), /text\/html/)
    assert.match(page.body.toString(), /lafs-club node/)
  })

  it('/metrics is valid Prometheus text with the expected series', async () => {
    const res = await http(h.gateway.url, 'GET', '/metrics')
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    const text = res.body.toString()
    const values = new Map<string, number>()
    const typed = new Set<string>()
    for (const line of text.split('\n')) {
      if (line === '') continue
      const typeLine = /^# TYPE (\w+) (counter|gauge)$/.exec(line)
      if (typeLine != null) { typed.add(typeLine[1]); continue }
      if (line.startsWith('# HELP ')) continue
      const m = /^(\w+)(\{(\w+="[^"]*")(,\w+="[^"]*")*\})? (-?[0-9.e+]+|NaN)$/.exec(line)
      assert.ok(m != null, `not a Prometheus sample line: ${line}`)
      assert.ok(typed.has(m[1]), `${m[1]} has no TYPE line before it`)
      values.set(m[1] + (m[2] ?? ''), Number(m[5]))
    }
    for (const name of ['lafs_club_storage_shares', 'lafs_club_storage_bytes', 'lafs_club_storage_capacity_bytes', 'lafs_club_reprovide_backlog', 'lafs_club_corruption_advisories', 'lafs_club_upload_bytes_total', 'lafs_club_download_bytes_total']) {
      assert.ok(values.has(name), `missing ${name}`)
    }
    assert.ok((values.get('lafs_club_peers{connection="direct"}') ?? 0) >= h.grid.length)
    // every connected peer came through a connection this node opened or accepted since it started
    const opened = (values.get('lafs_club_connections_opened_total{direction="inbound"}') ?? 0) + (values.get('lafs_club_connections_opened_total{direction="outbound"}') ?? 0)
    assert.ok(opened >= h.grid.length, `connections opened ${opened}, peers ${h.grid.length}`)
    assert.equal(values.get('lafs_club_upload_ready'), 1)
    assert.ok((values.get('lafs_club_uploads_total{outcome="succeeded"}') ?? 0) >= 1)
    assert.ok((values.get('lafs_club_upload_bytes_total') ?? 0) >= file.length)
  })

  it('/status?t=json and /metrics count the streams peers open, by protocol', async () => {
    const PING = '/ipfs/ping/1.0.0'
    const pings = async (): Promise<{ status: number, metric: number }> => {
      const s = JSON.parse((await http(h.gateway.url, 'GET', '/status?t=json')).body.toString())
      const text = (await http(h.gateway.url, 'GET', '/metrics')).body.toString()
      const line = text.split('\n').find(l => l.startsWith(`lafs_club_inbound_streams_total{protocol="${PING}"} `))
      return { status: s.inbound.streams[PING] ?? 0, metric: line === undefined ? 0 : Number(line.split(' ')[1]) }
    }
    const before = await pings()
    const pinger = h.grid[0].libp2p.services as unknown as { ping: { ping: (addr: unknown) => Promise<number> } }
    for (let i = 0; i < 3; i++) await pinger.ping.ping(multiaddr(h.node.multiaddrs[0]))
    const after = await pings()
    assert.ok(after.status - before.status >= 3, `status: ${before.status} → ${after.status} pings`)
    assert.ok(after.metric - before.metric >= 3, `metrics: ${before.metric} → ${after.metric} pings`)
    assert.equal(after.metric, after.status)
  })

  // Totals, not the length of the bounded lists: /metrics used to count only the 20 newest advisories.
  it('/status?t=json, /metrics: accounts and corruption advisories in total, beyond the listed newest 20', async () => {
    const storage = h.node.storage!
    const si = new Uint8Array(randomBytes(16))
    const lease = { renewSecret: new Uint8Array(randomBytes(32)), cancelSecret: new Uint8Array(randomBytes(32)) }
    await storage.allocate('12D3KooWTotalsUploader', si, [0], 100, lease)
    await storage.write('12D3KooWTotalsUploader', si, 0, 0, new Uint8Array(100))
    await storage.closeShare('12D3KooWTotalsUploader', si, 0)
    const before = storage.corruptionReports({ limit: 0 }).total
    // one advisory per reporter: the per-reporter rate limit does not come into it
    for (let i = 0; i < 25; i++) await storage.adviseCorrupt(`12D3KooWReporter${i}`, si, 0, `bad block ${i}`)
    const corruptionTotal = before + 25
    const accountsTotal = storage.stats().accounts
    assert.ok(accountsTotal >= 1)

    const s = JSON.parse((await http(h.gateway.url, 'GET', '/status?t=json')).body.toString())
    assert.equal(s.corruptionTotal, corruptionTotal)
    assert.equal(s.corruption.length, 20)
    assert.equal(s.accountsTotal, accountsTotal)
    const text = (await http(h.gateway.url, 'GET', '/metrics')).body.toString()
    assert.match(text, new RegExp(`^lafs_club_corruption_advisories ${corruptionTotal}$`, 'm'))
    assert.match(text, new RegExp(`^lafs_club_storage_accounts ${accountsTotal}$`, 'm'))
  })

  it('control API: terms and usage from the grid servers, invitations, gc, clubs', async () => {
    const auth = { Authorization: `Bearer ${h.gateway.apiToken}` }
    const terms = await http(h.gateway.url, 'GET', '/api/account/terms', undefined, auth)
    assert.equal(terms.status, 200)
    const t = JSON.parse(terms.body.toString())
    assert.ok(t.length >= 1 + h.grid.length)
    assert.ok(t.every((a: any) => typeof a.result.freeQuota === 'number'))
    const usage = JSON.parse((await http(h.gateway.url, 'GET', '/api/account/usage', undefined, auth)).body.toString())
    const used = usage.reduce((n: number, a: any) => n + (a.result?.bytes ?? 0), 0)
    assert.ok(used > file.length, `usage reports ${used} bytes`)
    const one = JSON.parse((await http(h.gateway.url, 'GET', `/api/account/usage?server=${encodeURIComponent(h.grid[0].info.multiaddrs[0])}`, undefined, auth)).body.toString())
    assert.equal(one.length, 1)
    assert.equal(one[0].server, h.grid[0].info.peerId)

    const json = { 'Content-Type': 'application/json', ...auth }
    const invite = await http(h.gateway.url, 'POST', '/api/invites', JSON.stringify({ quota: 5e9, note: 'test' }), json)
    assert.equal(invite.status, 200)
    assert.equal(typeof JSON.parse(invite.body.toString()).code, 'string')
    const gc = await http(h.gateway.url, 'POST', '/api/gc', '{}', json)
    assert.deepEqual(Object.keys(JSON.parse(gc.body.toString())).sort(), ['deletedShares', 'freedBytes'])
    const clubs = await http(h.gateway.url, 'GET', '/api/clubs', undefined, auth)
    assert.equal(clubs.status, 200)
    const listed = JSON.parse(clubs.body.toString())
    assert.deepEqual(listed.map((c: { clubId: string }) => c.clubId), [h.clubId])
    assert.equal(listed[0].owned, true)
    assert.equal(listed[0].isDefault, true)
    assert.deepEqual(listed[0].servers.map((s: { peerId: string }) => s.peerId).sort(), h.grid.map(s => s.info.peerId).sort())
    // a control request without a JSON content type is refused (a web page could send it)
    const form = await http(h.gateway.url, 'POST', '/api/gc', 'x=1', { 'Content-Type': 'application/x-www-form-urlencoded', ...auth })
    assert.equal(form.status, 415)
    const nope = await http(h.gateway.url, 'GET', '/api/nothing', undefined, auth)
    assert.equal(nope.status, 404)
  })

  it('check counts the shares on the grid; verify reads them', async () => {
    const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${h.gateway.apiToken}` }
    const res = await http(h.gateway.url, 'POST', `/api/check?cap=${encodeURIComponent(cap)}&verify=true`, '{}', json)
    assert.equal(res.status, 200, res.body.toString())
    const report = JSON.parse(res.body.toString())
    assert.equal(report.sharesFound, 4)
    assert.equal(report.healthy, true)
    assert.deepEqual(report.corrupt, [])
    const bad = await http(h.gateway.url, 'POST', '/api/check?cap=URI:CHK:x', '{}', json)
    assert.equal(bad.status, 400)
  })

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    const res = await http(h.gateway.url, 'GET', '/status?t=json', undefined, { Host: 'evil.example:3456' })
    assert.equal(res.status, 403)
  })
})

describe('gateway: Range parsing', () => {
  it('follows RFC 9110 for single ranges', () => {
    assert.equal(parseRange(undefined, 10), undefined)
    assert.deepEqual(parseRange('bytes=2-4', 10), { start: 2, end: 4 })
    assert.deepEqual(parseRange('bytes=2-', 10), { start: 2, end: 9 })
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 })
    assert.deepEqual(parseRange('bytes=8-100', 10), { start: 8, end: 9 })
    assert.equal(parseRange('bytes=4-2', 10), undefined)
    assert.equal(parseRange('items=1-2', 10), undefined)
    assert.equal(parseRange('bytes=1-2,4-5', 10), undefined)
    assert.throws(() => parseRange('bytes=10-', 10), /outside the file/)
    assert.throws(() => parseRange('bytes=-0', 10), /outside the file/)
    assert.throws(() => parseRange('bytes=0-', 0), /outside the file/)
  })
})

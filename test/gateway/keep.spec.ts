import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { stopServer } from '../fixtures/grid.js'
import { http, startHarness, type GatewayHarness } from './helpers.js'

describe('gateway: /api/keep, self-repair on the status page and in /metrics', function () {
  this.timeout(60_000)
  let h: GatewayHarness
  before(async () => { h = await startHarness({ servers: 5 }) })
  after(async () => { await h?.stop() })

  it('keeps a cap, lists it by storage index, runs a pass that repairs it, counts the repair, and forgets it', async () => {
    const json = { 'Content-Type': 'application/json', Authorization: `Bearer ${h.gateway.apiToken}` }
    const api = async (method: string, path: string, body?: unknown): Promise<any> => {
      const text = body === undefined ? undefined : JSON.stringify(body)
      // a DELETE with a body needs its length: Node's client does not chunk one
      const res = await http(h.gateway.url, method, path, text, text === undefined ? json : { ...json, 'Content-Length': String(Buffer.byteLength(text)) })
      assert.equal(res.status, 200, `${method} ${path}: ${res.body.toString()}`)
      return JSON.parse(res.body.toString())
    }
    const put = await http(h.gateway.url, 'PUT', '/uri', randomBytes(120_000))
    const cap = put.body.toString()
    const key = cap.split(':')[2]

    const kept = await api('POST', '/api/keep', { caps: [`${cap}@${h.clubId}`] })
    assert.equal(kept.length, 1)
    assert.equal(kept[0].club, h.clubId)
    assert.equal(kept[0].kept, true)
    assert.equal(kept[0].uploaded, true, 'the node uploaded it too')
    assert.ok(!JSON.stringify(kept).includes(key), 'answers name the storage index, not the cap')
    const refused = await http(h.gateway.url, 'POST', '/api/keep', JSON.stringify({}), json)
    assert.equal(refused.status, 400)

    // Two of the four holders leave: happiness 2 < happy 3.
    const check = await api('POST', `/api/check?cap=${encodeURIComponent(cap)}`, {})
    const holders = [...new Set(Object.values(check.sharemap as Record<string, string[]>).flat())]
    await Promise.all(h.grid.filter(s => holders.slice(0, 2).includes(s.info.peerId)).map(stopServer))
    const pass = await api('POST', '/api/keep/run', {})
    assert.equal(pass.repaired, 1, JSON.stringify(pass))
    assert.equal(pass.sharesPlaced, 2)

    const listed = await api('GET', '/api/keep')
    assert.equal(listed[0].health.sharesFound, 4)
    const status = await api('GET', '/status?t=json')
    assert.equal(status.repair.repairs, 1)
    assert.equal(status.repair.recent[0].storageIndex, listed[0].storageIndex)
    const stranger = (await http(h.gateway.url, 'GET', '/status?t=json')).body.toString()
    assert.ok(!stranger.includes(key))
    const page = (await http(h.gateway.url, 'GET', '/status')).body.toString()
    assert.match(page, /Self-repair/)
    const metrics = (await http(h.gateway.url, 'GET', '/metrics')).body.toString()
    assert.match(metrics, /^lafs_club_repairs_total 1$/m)
    assert.match(metrics, /^lafs_club_repair_shares_placed_total 2$/m)
    assert.match(metrics, /^lafs_club_repair_checks_total\{kind="have"\} \d+$/m)
    assert.match(metrics, /^lafs_club_repair_failures_total\{stage="repair"\} 0$/m)
    assert.match(metrics, /^lafs_club_repair_kept_files 1$/m)

    assert.deepEqual(await api('DELETE', '/api/keep', { cap }), { removed: 1 })
    assert.deepEqual(await api('GET', '/api/keep'), [])
    assert.equal((await api('GET', '/api/keep?all=1')).length, 1, 'its own upload is still looked after')
  })
})

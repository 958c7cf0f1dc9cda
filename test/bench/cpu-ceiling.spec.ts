/**
 * bench/lib/cpu-ceiling.ts: the split of a step's shortfall into the share
 * of the cores it kept busy and its CPU efficiency multiplies back to the
 * share of the ceiling that ceilings() and the step's own time give.
 */
import assert from 'node:assert/strict'
import { ceilingGap, ceilings } from '../../bench/lib/cpu-ceiling.js'

describe('bench: cpu ceiling', () => {
  const raw = { ms: 100, clientCpuMs: 100, serverCpuMs: 60 }
  const chk = { download: 100, upload: 300 }

  it('splits the share of the ceiling into cores kept busy and CPU efficiency', () => {
    const ours = { ms: 400, clientCpuMs: 450, serverCpuMs: 200 }
    const gap = ceilingGap(raw, ours, 1, chk.download, 2)
    // least CPU 160 + 100 = 260 ms, so at best 130 ms on two cores; the step took 400
    assert.ok(Math.abs(gap.share - 130 / 400) < 1e-12, `share ${gap.share}`)
    assert.ok(Math.abs(gap.busy - 650 / 800) < 1e-12, `busy ${gap.busy}`)
    assert.ok(Math.abs(gap.cpuEfficiency - 260 / 650) < 1e-12, `efficiency ${gap.cpuEfficiency}`)
    assert.ok(Math.abs(gap.rawBusy - 160 / 200) < 1e-12, `raw busy ${gap.rawBusy}`)
    // the same share as our ratio against the raw stream over the ceiling ceilings() gives
    const round = { rawDown: raw, rawUp: raw }
    const { download } = ceilings([round], chk, 3, 10, 2)
    assert.ok(Math.abs(gap.share - (raw.ms / ours.ms) / download) < 1e-12)
  })

  it('counts the upload\'s n/k wire bytes at the raw stream\'s cost', () => {
    const ours = { ms: 1000, clientCpuMs: 900, serverCpuMs: 600 }
    const gap = ceilingGap(raw, ours, 10 / 3, chk.upload, 2)
    const least = 160 * 10 / 3 + 300
    assert.ok(Math.abs(gap.cpuEfficiency - least / 1500) < 1e-12)
    assert.ok(Math.abs(gap.share - least / 2 / 1000) < 1e-12)
    const { upload } = ceilings([{ rawDown: raw, rawUp: raw }], chk, 3, 10, 2)
    assert.ok(Math.abs(gap.share - (raw.ms / ours.ms) / upload) < 1e-12)
  })
})

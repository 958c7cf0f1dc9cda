import assert from 'node:assert/strict'
import { happinessOf, maximumMatching, planPlacement } from '../../src/routing/happiness.js'

const servers = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i}`)

describe('routing/happiness', () => {
  it('matches each server to a distinct share', () => {
    const edges = new Map([['a', new Set([0, 1])], ['b', new Set([0])], ['c', new Set([1])]])
    assert.equal(maximumMatching(['a', 'b', 'c'], edges).size, 2)
    assert.equal(happinessOf(new Map([['a', new Set([0, 1, 2])]])), 1)
  })

  it('places one share per server when there are N servers', () => {
    const p = planPlacement({ servers: servers(10), existing: new Map(), readOnly: new Set(), totalShares: 10 })
    assert.equal(p.happiness, 10)
    for (const [, shares] of p.uploads) assert.equal(shares.length, 1)
    assert.deepEqual([...p.uploads.values()].flat().sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('spreads leftovers when servers are fewer than shares', () => {
    const p = planPlacement({ servers: servers(4), existing: new Map(), readOnly: new Set(), totalShares: 10 })
    assert.equal(p.happiness, 4)
    const counts = [...p.uploads.values()].map(s => s.length).sort((a, b) => a - b)
    assert.deepEqual(counts, [2, 2, 3, 3])
  })

  it('keeps shares already in place and never uploads them twice', () => {
    const existing = new Map([['s0', new Set([3])], ['s1', new Set([3])], ['s2', new Set([5, 6])]])
    const p = planPlacement({ servers: servers(10), existing, readOnly: new Set(), totalShares: 10 })
    const uploaded = [...p.uploads.values()].flat()
    assert.equal(new Set(uploaded).size, uploaded.length)
    assert.equal(uploaded.length + p.kept.size, 10)
    assert.equal(p.happiness, 10)
  })

  it('counts read-only servers only for what they already hold', () => {
    const readOnly = new Set(['s0', 's1', 's2', 's3', 's4'])
    const existing = new Map([['s0', new Set([0])]])
    const p = planPlacement({ servers: servers(7), existing, readOnly, totalShares: 10 })
    for (const s of readOnly) assert.equal(p.uploads.has(s), false)
    assert.equal(p.happiness, 3)
  })
})

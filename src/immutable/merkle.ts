/**
 * Tahoe's Merkle hash trees (spec §8) in array form: node 0 is the root,
 * children of i are 2i+1 and 2i+2, leaf j of a P-leaf tree is node P-1+j.
 * Padding leaves hash their position; a one-leaf tree's root is the leaf.
 */
import { bytesEqual, TAGS, taggedHash, taggedPairHash } from './hashes.js'

export function nextPowerOfTwo (n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

export function log2 (p: number): number {
  let l = 0
  while ((2 ** l) < p) l++
  return l
}

// Every tree of a file (N+1 of them) pads with the same leaves.
const emptyLeaves: Uint8Array[] = []

export function emptyLeafHash (position: number): Uint8Array {
  if (position < 65536) return (emptyLeaves[position] ??= taggedHash(TAGS.merkleEmptyLeaf, String(position)))
  return taggedHash(TAGS.merkleEmptyLeaf, String(position))
}

export function internalNodeHash (left: Uint8Array, right: Uint8Array): Uint8Array {
  return taggedPairHash(TAGS.merkleInternal, left, right)
}

/** All 2P-1 nodes of the tree, root first. */
export function buildTree (leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length < 1) throw new RangeError('a hash tree needs at least one leaf')
  const p = nextPowerOfTwo(leaves.length)
  const nodes: Uint8Array[] = new Array(2 * p - 1)
  for (let j = 0; j < p; j++) nodes[p - 1 + j] = j < leaves.length ? leaves[j] : emptyLeafHash(j)
  for (let i = p - 2; i >= 0; i--) nodes[i] = internalNodeHash(nodes[2 * i + 1], nodes[2 * i + 2])
  return nodes
}

export function siblingOf (i: number): number {
  return i % 2 === 1 ? i + 1 : i - 1
}

export function parentOf (i: number): number {
  return (i - 1) >> 1
}

/** Tahoe's `needed_hashes(leaf, include_leaf)`: the siblings on the way to the root, ascending. */
export function neededHashes (leafIndex: number, leafCount: number, includeLeaf = false): number[] {
  const p = nextPowerOfTwo(leafCount)
  let i = p - 1 + leafIndex
  const out: number[] = includeLeaf ? [i] : []
  while (i > 0) {
    out.push(siblingOf(i))
    i = parentOf(i)
  }
  return out.sort((a, b) => a - b)
}

/** Flattens the tree array into its serialized form (32 bytes per node). */
export function serializeTree (nodes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nodes.length * 32)
  nodes.forEach((n, i) => out.set(n, i * 32))
  return out
}

/**
 * A tree of which only some nodes are known to be right: the root (given
 * from a trusted place) and every node that was part of a successful leaf
 * check. Checking later leaves then needs only the siblings below the
 * first already-verified ancestor, so a sequential read fetches each node
 * at most once.
 */
export class PartialTree {
  readonly leafCount: number
  readonly size: number
  private readonly known = new Map<number, Uint8Array>()

  constructor (leafCount: number, root: Uint8Array) {
    this.leafCount = nextPowerOfTwo(leafCount)
    this.size = 2 * this.leafCount - 1
    this.known.set(0, root)
  }

  get root (): Uint8Array { return this.known.get(0) as Uint8Array }

  leafNode (leafIndex: number): number {
    return this.leafCount - 1 + leafIndex
  }

  has (node: number): boolean { return this.known.has(node) }

  get (node: number): Uint8Array | undefined { return this.known.get(node) }

  /** Node indices (ascending) that must be fetched to check leaf `leafIndex`. */
  missingFor (leafIndex: number): number[] {
    const out: number[] = []
    let i = this.leafNode(leafIndex)
    while (!this.known.has(i)) {
      const s = siblingOf(i)
      if (!this.known.has(s)) out.push(s)
      i = parentOf(i)
    }
    return out.sort((a, b) => a - b)
  }

  /**
   * Checks that `leafHash` at `leafIndex` hashes up to a verified node,
   * taking missing siblings from `fetched`. On success every node used is
   * remembered as verified; on failure nothing is.
   */
  verifyLeaf (leafIndex: number, leafHash: Uint8Array, fetched: ReadonlyMap<number, Uint8Array>): boolean {
    const learned = new Map<number, Uint8Array>()
    let i = this.leafNode(leafIndex)
    let h = leafHash
    while (!this.known.has(i)) {
      learned.set(i, h)
      const s = siblingOf(i)
      const sh = this.known.get(s) ?? fetched.get(s)
      if (sh === undefined || sh.length !== 32) return false
      learned.set(s, sh)
      h = i % 2 === 1 ? internalNodeHash(h, sh) : internalNodeHash(sh, h)
      i = parentOf(i)
    }
    if (!bytesEqual(h, this.known.get(i) as Uint8Array)) return false
    for (const [n, v] of learned) this.known.set(n, v)
    return true
  }

  /**
   * Takes a whole stored tree (2P-1 nodes, root first) at once: it must hash
   * up to the verified root, node by node, with padding leaves where the
   * spec puts them. On success every node is known, so no later leaf needs
   * a fetch; on failure nothing is learned. Cheaper than leaf-by-leaf checks
   * when most leaves will be read: one read instead of one per leaf pair.
   */
  adoptWhole (nodes: readonly Uint8Array[], realLeaves: number): boolean {
    if (nodes.length !== this.size) return false
    const p = this.leafCount
    for (const n of nodes) if (n.length !== 32) return false
    for (let j = realLeaves; j < p; j++) if (!bytesEqual(nodes[p - 1 + j], emptyLeafHash(j))) return false
    for (let i = p - 2; i >= 0; i--) if (!bytesEqual(nodes[i], internalNodeHash(nodes[2 * i + 1], nodes[2 * i + 2]))) return false
    if (!bytesEqual(nodes[0], this.root)) return false
    nodes.forEach((n, i) => this.known.set(i, n))
    return true
  }
}

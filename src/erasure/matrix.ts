/**
 * Square and rectangular matrices over GF(2^8), stored row-major in a
 * Uint8Array, and zfec's systematic encoding matrix.
 */
import { EXP, gfInv, gfMul } from './gf256.js'

/**
 * Inverts the n×n matrix `a` (row-major) by Gauss-Jordan elimination.
 * Any correct inversion gives the same bytes because the inverse is unique.
 * Returns null when the matrix is singular.
 */
export function invert (a: Uint8Array, n: number): Uint8Array | null {
  const m = a.slice()
  const inv = new Uint8Array(n * n)
  for (let i = 0; i < n; i++) inv[i * n + i] = 1
  for (let col = 0; col < n; col++) {
    let pivot = col
    while (pivot < n && m[pivot * n + col] === 0) pivot++
    if (pivot === n) return null
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        let t = m[col * n + j]; m[col * n + j] = m[pivot * n + j]; m[pivot * n + j] = t
        t = inv[col * n + j]; inv[col * n + j] = inv[pivot * n + j]; inv[pivot * n + j] = t
      }
    }
    const scale = gfInv(m[col * n + col])
    if (scale !== 1) {
      for (let j = 0; j < n; j++) {
        m[col * n + j] = gfMul(m[col * n + j], scale)
        inv[col * n + j] = gfMul(inv[col * n + j], scale)
      }
    }
    for (let r = 0; r < n; r++) {
      const f = m[r * n + col]
      if (r === col || f === 0) continue
      for (let j = 0; j < n; j++) {
        m[r * n + j] ^= gfMul(f, m[col * n + j])
        inv[r * n + j] ^= gfMul(f, inv[col * n + j])
      }
    }
  }
  return inv
}

/** (rows×inner) · (inner×cols) over GF(2^8). */
export function multiply (a: Uint8Array, b: Uint8Array, rows: number, inner: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < inner; i++) {
      const f = a[r * inner + i]
      if (f === 0) continue
      for (let c = 0; c < cols; c++) out[r * cols + c] ^= gfMul(f, b[i * cols + c])
    }
  }
  return out
}

const encodingMatrices = new Map<number, Uint8Array>()

/**
 * zfec's m×k encoding matrix E = V · T⁻¹, where V is the Vandermonde matrix
 * at points 0, α⁰, α¹, … and T its top k×k block. Rows 0..k-1 are the
 * identity. Because row r does not depend on m, one 256-row matrix per k
 * serves every m; callers read the first m rows.
 */
export function encodingMatrix (k: number): Uint8Array {
  let e = encodingMatrices.get(k)
  if (e != null) return e
  const rows = 256
  const v = new Uint8Array(rows * k)
  v[0] = 1
  for (let r = 1; r < rows; r++) {
    for (let c = 0; c < k; c++) v[r * k + c] = EXP[((r - 1) * c) % 255]
  }
  const top = invert(v.subarray(0, k * k), k)
  if (top == null) throw new Error('zfec Vandermonde top block is singular (cannot happen)')
  e = multiply(v, top, rows, k, k)
  encodingMatrices.set(k, e)
  return e
}

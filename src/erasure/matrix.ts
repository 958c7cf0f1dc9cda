/**
 * Square and rectangular matrices over GF(2^8), stored row-major in a
 * Uint8Array, and zfec's systematic encoding matrix.
 */
import { EXP, MUL, gfInv, gfMul } from './gf256.js'

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
    const scale = gfInv(m[col * n + col]) << 8
    const pivotRow = col * n
    if (scale !== 1 << 8) {
      for (let j = 0; j < n; j++) {
        m[pivotRow + j] = MUL[scale | m[pivotRow + j]]
        inv[pivotRow + j] = MUL[scale | inv[pivotRow + j]]
      }
    }
    // Columns left of `col` are already zero in the pivot row of m, so they need no update.
    for (let r = 0; r < n; r++) {
      const f = m[r * n + col] << 8
      if (r === col || f === 0) continue
      const row = r * n
      for (let j = col; j < n; j++) m[row + j] ^= MUL[f | m[pivotRow + j]]
      for (let j = 0; j < n; j++) inv[row + j] ^= MUL[f | inv[pivotRow + j]]
    }
  }
  return inv
}

/** (rows×inner) · (inner×cols) over GF(2^8). */
export function multiply (a: Uint8Array, b: Uint8Array, rows: number, inner: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < inner; i++) {
      const f = a[r * inner + i] << 8
      if (f === 0) continue
      for (let c = 0; c < cols; c++) out[r * cols + c] ^= MUL[f | b[i * cols + c]]
    }
  }
  return out
}

const encodingMatrices = new Map<number, Uint8Array>()

/** The Vandermonde evaluation point of row r: 0 for row 0, α^(r-1) after. */
function point (r: number): number {
  return r === 0 ? 0 : EXP[r - 1]
}

/**
 * zfec's m×k encoding matrix E = V · T⁻¹, where V is the Vandermonde matrix
 * at points 0, α⁰, α¹, … and T its top k×k block. Rows 0..k-1 are the
 * identity. Because row r does not depend on m, one 256-row matrix per k
 * serves every m; callers read the first m rows.
 *
 * Column c of T⁻¹ holds the coefficients of the Lagrange polynomial L_c that
 * is 1 at point c and 0 at the other k-1 points, so E[r][c] = L_c(x_r).
 * Evaluating that product form costs O(256·k) instead of a k³ inversion,
 * which matters when a test or a caller walks through many k.
 */
export function encodingMatrix (k: number): Uint8Array {
  let e = encodingMatrices.get(k)
  if (e != null) return e
  const rows = 256
  e = new Uint8Array(rows * k)
  for (let r = 0; r < k; r++) e[r * k + r] = 1
  // denom[c] = Π_{j≠c} (x_c - x_j); subtraction is XOR in GF(2^8).
  const denom = new Uint8Array(k)
  for (let c = 0; c < k; c++) {
    let d = 1
    for (let j = 0; j < k; j++) if (j !== c) d = gfMul(d, point(c) ^ point(j))
    denom[c] = d
  }
  for (let r = k; r < rows; r++) {
    const x = point(r)
    // Distinct points: x - x_j is never 0 for j < k <= r.
    let all = 1
    for (let j = 0; j < k; j++) all = gfMul(all, x ^ point(j))
    for (let c = 0; c < k; c++) e[r * k + c] = gfMul(all, gfInv(gfMul(x ^ point(c), denom[c])))
  }
  encodingMatrices.set(k, e)
  return e
}

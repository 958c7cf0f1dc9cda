import { loadVector } from '../immutable/helpers.js'
import { parseDirCap, type DirReadableCap, type JsonObject, type MutableDirWriteCap } from '../../src/dirnode/index.js'

export interface DirnodeVectors {
  children: Array<{ name: string, cap: string, metadata: JsonObject }>
  directories: Array<{ label: string, dircap: string, readcap: string, verifycap: string, writekey_b32: string, packed_hex: string }>
  rwcaps: Array<{ dir: string, rw_uri: string, ro_uri: string, rwcapdata_hex: string }>
  immutable: { names: string[], packed_hex: string }
  caps: Array<{ cap: string, readonly: string, verify: string | null, filecap: string }>
  float_repr: string[]
  json_indent1: { value: unknown, text: string }
  tahoe_known_tree: { readcap: string, packed_hex: string, children: Record<string, { ro_uri: string, metadata: JsonObject }> }
}

let cached: DirnodeVectors | undefined
export function dirnodeVectors (): DirnodeVectors {
  return (cached ??= loadVector<DirnodeVectors>('tahoe-dirnode.json'))
}

/** Official SDMF/MDMF write caps (tahoe-ssk.json) wrapped as directories, so no RSA key is generated. */
export function writeDirCap (i = 0): MutableDirWriteCap {
  const d = dirnodeVectors().directories[i % 2]
  return parseDirCap(d.dircap) as MutableDirWriteCap
}

export function readable (text: string): DirReadableCap {
  return parseDirCap(text) as DirReadableCap
}

export function hex (b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

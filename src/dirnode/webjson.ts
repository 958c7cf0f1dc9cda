/**
 * Tahoe's `?t=json` answers (web/directory.py _directory_json_metadata,
 * web/filenode.py _file_json_metadata, web/common.py get_filenode_metadata)
 * as pure functions, with the same keys in the same order, and the same
 * text: Python's json.dumps(…, indent=1) followed by a newline.
 */
import { childFromCaps, type ChildNode } from './child.js'
import { formatDirCap, toDirVerifyCap, toReadOnlyDirCap } from './caps.js'
import { type Directory } from './directory.js'
import { pythonJsonDumps, type JsonObject, type JsonValue } from './pyjson.js'

export type NodeJson = [string, JsonObject]

export interface ListingOptions {
  /**
   * The size of a mutable file child, when the caller knows it (Tahoe shows
   * a mutable file's size only once it has been read). Immutable sizes come
   * from the caps.
   */
  mutableSize?: (name: string, node: ChildNode) => number | undefined
}

function fileProps (node: ChildNode, size: number | undefined): JsonObject {
  const props: JsonObject = { mutable: node.mutable === true, format: node.format ?? 'CHK' }
  if (size !== undefined) props.size = size
  return props
}

/** One child as it appears under "children": [type, {…, metadata, rw_uri?, ro_uri?, verify_uri?}]. */
export function childJson (name: string, node: ChildNode, metadata: JsonObject, opts: ListingOptions = {}): NodeJson {
  let data: NodeJson
  if (node.type === 'filenode') {
    data = ['filenode', fileProps(node, node.mutable === true ? opts.mutableSize?.(name, node) : node.size)]
  } else if (node.type === 'dirnode') {
    data = ['dirnode', { mutable: node.mutable === true }]
  } else {
    data = ['unknown', {}]
  }
  data[1].metadata = metadata
  if (node.writeUri !== undefined) data[1].rw_uri = node.writeUri
  if (node.readUri !== undefined) data[1].ro_uri = node.readUri
  if (node.verifyUri !== undefined) data[1].verify_uri = node.verifyUri
  return data
}

/** `GET /uri/<dircap>?t=json` as a value. A read-only directory shows no rw_uri anywhere. */
export function directoryJson (dir: Directory, opts: ListingOptions = {}): NodeJson {
  const kids: JsonObject = {}
  for (const e of dir.list()) kids[e.name] = childJson(e.name, e.node, e.metadata, opts) as JsonValue
  const contents: JsonObject = { children: kids }
  contents.ro_uri = formatDirCap(toReadOnlyDirCap(dir.cap))
  if (!dir.isReadOnly) contents.rw_uri = formatDirCap(dir.cap)
  const verify = toDirVerifyCap(dir.cap)
  if (verify !== undefined) contents.verify_uri = formatDirCap(verify)
  contents.mutable = dir.isMutable
  return ['dirnode', contents]
}

export interface FileJsonOptions {
  /** The file's size; for a mutable file, when known. Immutable caps carry their own. */
  size?: number
  /** The metadata of the link the file was reached through (Tahoe adds it when the path goes through a directory). */
  metadata?: JsonObject
}

/** `GET /uri/<filecap>?t=json` as a value, from the file's cap string. */
export function fileJson (cap: string, opts: FileJsonOptions = {}): NodeJson {
  const node = childFromCaps(cap, undefined, false, '<file>')
  if (node.type !== 'filenode') throw new TypeError(`'${cap.slice(0, 24)}…' is not a file cap`)
  const props = fileProps(node, opts.size ?? node.size)
  if (node.readUri !== undefined) props.ro_uri = node.readUri
  if (node.writeUri !== undefined) props.rw_uri = node.writeUri
  if (node.verifyUri !== undefined) props.verify_uri = node.verifyUri
  if (opts.metadata !== undefined) props.metadata = opts.metadata
  return ['filenode', props]
}

/** The response body Tahoe sends for a `?t=json` value: json.dumps(value, indent=1) + "\n". */
export function tahoeJsonText (value: NodeJson): string {
  return pythonJsonDumps(value, 1) + '\n'
}

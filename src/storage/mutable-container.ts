/**
 * Tahoe's mutable container (storage/mutable.py, schema v1 and v2) as one
 * file per share: a 100-byte header (32-byte magic, the 20-byte id of the
 * server that recorded the write enabler, the 32-byte write enabler, data
 * length u64, offset of the extra-lease block u64), four 92-byte lease
 * slots, the share data from byte 468, then the extra-lease block (u32
 * count + leases). Leases live in SQLite here, as for immutable shares, so
 * the lease slots stay zero ("no lease") and the extra-lease count 0: a
 * Tahoe server reads such a file as a share without leases.
 *
 * Reads and tests see only the data region and are cut at the data length,
 * as Tahoe's are. A small share is changed by writing a whole new copy that
 * is fsynced and renamed over it (all or nothing); a large one in place
 * (`writeInPlace`, see there for why that is safe). Callers serialise the
 * calls on a slot, so no reader sees a half-applied call either way.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { TaggedHasher } from '../immutable/index.js'
import { BadMutableContainerError, BadWriteEnablerError, InvalidArgumentError } from './errors.js'

export const CONTAINER_HEADER_SIZE = 100
export const LEASE_SLOT_SIZE = 92
export const CONTAINER_DATA_OFFSET = CONTAINER_HEADER_SIZE + 4 * LEASE_SLOT_SIZE // 468
export const SERVER_ID_LENGTH = 20
export const WRITE_ENABLER_LENGTH = 32
/** Tahoe's MAX_MUTABLE_SHARE_SIZE (69105 TB) is beyond any file here; the server's own limit applies first. */
export const MAX_CONTAINER_DATA = Number.MAX_SAFE_INTEGER - CONTAINER_DATA_OFFSET

function magicOf (version: 1 | 2): Uint8Array {
  const human = new TextEncoder().encode(`Tahoe mutable container v${version}\n`)
  // v1's five bytes are historical; later versions take them from a tagged hash.
  const tail = version === 1
    ? new Uint8Array([0x75, 0x09, 0x44, 0x03, 0x8e])
    : new TaggedHasher('allmydata_mutable_container_header').update(human).digest(5)
  const out = new Uint8Array(32)
  out.set(human)
  out.set(tail, human.length)
  return out
}

export const CONTAINER_MAGIC = { 1: magicOf(1), 2: magicOf(2) } as const
/** New containers use Tahoe's newest schema (v2); v1 and v2 differ only in how leases are stored. */
export const NEW_CONTAINER_VERSION = 2

export interface ContainerHeader {
  version: 1 | 2
  serverId: Uint8Array
  writeEnabler: Uint8Array
  dataLength: number
  extraLeaseOffset: number
}

/** A new, empty container: header, blank leases, and an extra-lease count of 0. */
export function newContainer (serverId: Uint8Array, writeEnabler: Uint8Array): Uint8Array {
  if (serverId.length !== SERVER_ID_LENGTH) throw new InvalidArgumentError(`a server id is ${SERVER_ID_LENGTH} bytes`)
  if (writeEnabler.length !== WRITE_ENABLER_LENGTH) throw new InvalidArgumentError(`a write enabler is ${WRITE_ENABLER_LENGTH} bytes`)
  const out = new Uint8Array(CONTAINER_DATA_OFFSET + 4)
  const dv = new DataView(out.buffer)
  out.set(CONTAINER_MAGIC[NEW_CONTAINER_VERSION])
  out.set(serverId, 32)
  out.set(writeEnabler, 52)
  dv.setBigUint64(84, 0n)
  dv.setBigUint64(92, BigInt(CONTAINER_DATA_OFFSET))
  return out
}

/** `bytes` holds at least the 100-byte header; `fileSize` is the whole container's (default: `bytes` is all of it). */
export function parseContainerHeader (bytes: Uint8Array, name = 'container', fileSize = bytes.length): ContainerHeader {
  if (fileSize < CONTAINER_DATA_OFFSET + 4 || bytes.length < CONTAINER_HEADER_SIZE) {
    throw new BadMutableContainerError(`${name} is ${fileSize} bytes, shorter than a mutable container`)
  }
  const magic = bytes.subarray(0, 32)
  const version = ([1, 2] as const).find(v => Buffer.compare(magic, CONTAINER_MAGIC[v]) === 0)
  if (version === undefined) throw new BadMutableContainerError(`${name} does not start with Tahoe's mutable container magic (v1 or v2)`)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dataLength = dv.getBigUint64(84)
  const extraLeaseOffset = dv.getBigUint64(92)
  if (dataLength > BigInt(MAX_CONTAINER_DATA) || extraLeaseOffset < BigInt(CONTAINER_DATA_OFFSET) + dataLength ||
      extraLeaseOffset + 4n > BigInt(fileSize)) {
    throw new BadMutableContainerError(`${name}: data length ${dataLength} and extra-lease offset ${extraLeaseOffset} do not fit a ${fileSize}-byte file`)
  }
  return {
    version,
    serverId: bytes.slice(32, 52),
    writeEnabler: bytes.slice(52, 84),
    dataLength: Number(dataLength),
    extraLeaseOffset: Number(extraLeaseOffset)
  }
}

export interface ReadVector { offset: number, size: number }
export interface TestVector { offset: number, size: number, specimen: Uint8Array }
export interface WriteVector { offset: number, data: Uint8Array }

/**
 * Applies write vectors in order, then `newLength` (which only ever
 * shortens: Tahoe ignores a larger one). Gaps are zero-filled. The
 * extra-lease block always follows the data directly, so a truncated share
 * gives its disk space (and its owner's charge) back.
 */
export function applyWrites (container: Uint8Array, writes: readonly WriteVector[], newLength: number | null): Uint8Array {
  const h = parseContainerHeader(container)
  let dataLength = h.dataLength
  for (const w of writes) dataLength = Math.max(dataLength, w.offset + w.data.length)
  if (newLength !== null && newLength < dataLength) dataLength = newLength
  const extraBlock = container.subarray(h.extraLeaseOffset, container.length)
  const extraAt = CONTAINER_DATA_OFFSET + dataLength
  if (extraAt > MAX_CONTAINER_DATA) throw new InvalidArgumentError('the write goes past the largest share this server holds')
  // Bytes past the new length are dropped, so a later extension reads zeros (not old data).
  const out = new Uint8Array(extraAt + extraBlock.length)
  out.set(container.subarray(0, CONTAINER_DATA_OFFSET + Math.min(h.dataLength, dataLength)))
  for (const w of writes) {
    const room = dataLength - w.offset
    if (room > 0) out.set(room >= w.data.length ? w.data : w.data.subarray(0, room), CONTAINER_DATA_OFFSET + w.offset)
  }
  out.set(extraBlock, extraAt)
  const dv = new DataView(out.buffer)
  dv.setBigUint64(84, BigInt(dataLength))
  dv.setBigUint64(92, BigInt(extraAt))
  return out
}

export function writeEnablerMatches (header: ContainerHeader, writeEnabler: Uint8Array): boolean {
  return writeEnabler.length === WRITE_ENABLER_LENGTH && timingSafeEqual(header.writeEnabler, writeEnabler)
}

export function checkWriteEnabler (header: ContainerHeader, writeEnabler: Uint8Array, si: string, shnum: number): void {
  if (!writeEnablerMatches(header, writeEnabler)) {
    throw new BadWriteEnablerError(
      `the write enabler for slot ${si} share ${shnum} does not match; it was recorded by server ${Buffer.from(header.serverId).toString('hex')}`,
      header.serverId)
  }
}

/**
 * A container file held open with its header and size read, so a call can
 * read the few ranges it needs (tests, read vectors, a large MDMF share's
 * blocks) and write in place without loading the whole share.
 */
export interface OpenContainer {
  path: string
  handle: FileHandle
  header: ContainerHeader
  /** The whole file's bytes. */
  size: number
}

/** Opens a container (`r+` to write it in place); undefined if there is no file. The caller closes `handle`. */
export async function openContainer (path: string, flags: 'r' | 'r+' = 'r'): Promise<OpenContainer | undefined> {
  let handle
  try {
    handle = await open(path, flags)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const { size } = await handle.stat()
    const head = new Uint8Array(CONTAINER_HEADER_SIZE)
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    return { path, handle, size, header: parseContainerHeader(head.subarray(0, bytesRead), path, size) }
  } catch (err) {
    await handle.close()
    throw err
  }
}

async function readAt (c: OpenContainer, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length)
  let at = 0
  while (at < length) {
    const got = (await c.handle.read(buf, at, length - at, position + at)).bytesRead
    if (got === 0) throw new BadMutableContainerError(`${c.path} ended before its data length`)
    at += got
  }
  return buf
}

async function writeAt (c: OpenContainer, position: number, data: Uint8Array): Promise<void> {
  let at = 0
  while (at < data.length) at += (await c.handle.write(data, at, data.length - at, position + at)).bytesWritten
}

/** Data ranges of an open container, cut at the data length (empty past it), as Tahoe reads. */
export async function readOpenRanges (c: OpenContainer, ranges: readonly ReadVector[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for (const r of ranges) {
    const length = r.offset >= c.header.dataLength ? 0 : Math.min(c.header.dataLength, r.offset + r.size) - r.offset
    out.push(await readAt(c, CONTAINER_DATA_OFFSET + r.offset, length))
  }
  return out
}

/** Tahoe's only test operator, equality of the (cut) data with the specimen, on an open container (undefined: no share, which reads as empty). */
export async function testPassesOpen (c: OpenContainer | undefined, tests: readonly TestVector[]): Promise<boolean> {
  for (const t of tests) {
    const [data] = c === undefined ? [new Uint8Array(0)] : await readOpenRanges(c, [t])
    if (Buffer.compare(data, t.specimen) !== 0) return false
  }
  return true
}

/** The whole container file. */
export async function readWholeContainer (c: OpenContainer): Promise<Uint8Array> {
  return await readAt(c, 0, c.size)
}

/** The data length `applyWrites` would leave. */
function dataLengthAfter (header: ContainerHeader, writes: readonly WriteVector[], newLength: number | null): number {
  let dataLength = header.dataLength
  for (const w of writes) dataLength = Math.max(dataLength, w.offset + w.data.length)
  if (newLength !== null && newLength < dataLength) dataLength = newLength
  if (CONTAINER_DATA_OFFSET + dataLength > MAX_CONTAINER_DATA) throw new InvalidArgumentError('the write goes past the largest share this server holds')
  return dataLength
}

/** The container's size on disk after `writeInPlace` (or `applyWrites`) with these vectors. */
export function sizeAfterWrites (c: OpenContainer, writes: readonly WriteVector[], newLength: number | null): number {
  return CONTAINER_DATA_OFFSET + dataLengthAfter(c.header, writes, newLength) + (c.size - c.header.extraLeaseOffset)
}

/**
 * Applies write vectors to the file in place, with the same result on disk
 * as `applyWrites` (gaps zero, the extra-lease block moved to follow the
 * data, the file cut after it), then fsyncs. Returns the new size.
 *
 * Order: data, then the extra-lease block at its new place, then the
 * header's data length and extra-lease offset (16 bytes in one sector),
 * then truncation, then fsync. A crash part-way leaves the old header: reads
 * are still cut at the old length and the container still parses (the file
 * only shrinks after the header changes). The old extra-lease count may then
 * read as share data; this server keeps leases in SQLite and never reads it.
 *
 * Why a crash can never leave a share that verifies as another version:
 * only the data region may be torn, a mix of the old share's bytes and the
 * new one's. A mutable share verifies only if its prefix (seqnum, root
 * hash, …) carries the writer's signature under the key the cap fingerprints
 * and every block and salt hashes up to that root hash; a mix passes only
 * where it equals a whole share the writer signed (a SHA-256d collision
 * otherwise). So a torn share is a corrupt one, which readers skip and
 * repair replaces: the state a publish of more than one call (a large MDMF
 * share) passes through anyway between its calls, since the new header is
 * written by the first one. The all-or-nothing copy is kept for small
 * shares (mutable-slots.ts), which a single call replaces whole.
 */
export async function writeInPlace (c: OpenContainer, writes: readonly WriteVector[], newLength: number | null): Promise<number> {
  const h = c.header
  const dataLength = dataLengthAfter(h, writes, newLength)
  const extraBlock = await readAt(c, h.extraLeaseOffset, c.size - h.extraLeaseOffset)
  const extraAt = CONTAINER_DATA_OFFSET + dataLength
  const size = extraAt + extraBlock.length
  // What lay past the old data (the extra-lease block, any gap before it) becomes data: it must read as zero where no write covers it, as
  // in `applyWrites`. Past the file's end reads zero already.
  const stale = Math.min(c.size, extraAt) - (CONTAINER_DATA_OFFSET + h.dataLength)
  if (stale > 0) await writeAt(c, CONTAINER_DATA_OFFSET + h.dataLength, new Uint8Array(stale))
  for (const w of writes) {
    const room = dataLength - w.offset
    if (room > 0) await writeAt(c, CONTAINER_DATA_OFFSET + w.offset, room >= w.data.length ? w.data : w.data.subarray(0, room))
  }
  if (dataLength !== h.dataLength || extraAt !== h.extraLeaseOffset) {
    await writeAt(c, extraAt, extraBlock)
    const fields = new Uint8Array(16)
    const dv = new DataView(fields.buffer)
    dv.setBigUint64(0, BigInt(dataLength))
    dv.setBigUint64(8, BigInt(extraAt))
    await writeAt(c, 84, fields)
  }
  if (c.size > size) await c.handle.truncate(size)
  await c.handle.sync()
  return size
}

/**
 * Reads ranges of a container's data (cut at the data length) with the
 * header and those ranges only, not the whole file: a reader of a large
 * MDMF share asks for a few blocks at a time. Undefined if there is no file.
 */
export async function readContainerRanges (path: string, ranges: readonly ReadVector[]): Promise<Uint8Array[] | undefined> {
  const c = await openContainer(path)
  if (c === undefined) return undefined
  try {
    return await readOpenRanges(c, ranges)
  } finally {
    await c.handle.close()
  }
}

/** Replaces the file at `path` with `bytes`: write a temporary sibling, fsync, rename. */
export async function writeContainerAtomically (path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx')
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } catch (err) {
    await handle.close()
    await rm(tmp, { force: true })
    throw err
  }
  await handle.close()
  await rename(tmp, path)
}

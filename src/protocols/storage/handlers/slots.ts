/**
 * The mutable-slot requests: read-test-write, slot read, list slot shares.
 * Limits on vectors and bytes are checked here, before the storage server
 * is asked, and refused with ERR_LIMIT_EXCEEDED (not fatal: the frame was
 * well formed, so the session goes on). The storage server checks the
 * answer size (read vectors × shares held) itself, before reading.
 */
import { LimitExceededError, MAX_READ_VECTORS, MAX_TEST_VECTORS, WRITE_ENABLER_LENGTH, type SlotShareVectors } from '../../../storage/index.js'
import { MalformedMessageError } from '../../errors.js'
import { MAX_SLOT_READ_SHARES, MAX_SLOT_SHARES, MAX_SLOT_WRITE_BYTES, MAX_SLOT_WRITE_VECTORS } from '../constants.js'
import { requireCount, requireLease, requireShareNumber, requireStorageIndex } from '../validate.js'
import type { RequestContext } from '../context.js'
import type { ListSharesRequest, ReadVector, SlotReadRequest, SlotReadTestWriteRequest, SlotShareData } from '../message/storage.js'

function readVectorOf (read: ReadVector[]): Array<{ offset: number, size: number }> {
  if (read.length > MAX_READ_VECTORS) throw new LimitExceededError(`${read.length} read vectors; at most ${MAX_READ_VECTORS} per call`)
  return read.map(r => ({ offset: requireCount('read offset', r.offset), size: requireCount('read size', r.size) }))
}

function wireData (data: Map<number, Uint8Array[]>): SlotShareData[] {
  return [...data].sort(([a], [b]) => a - b).map(([shareNumber, pieces]) => ({ shareNumber, data: pieces as Array<Uint8Array<ArrayBuffer>> }))
}

export async function handleSlotReadTestWrite (ctx: RequestContext, req: SlotReadTestWriteRequest): Promise<void> {
  const storageIndex = requireStorageIndex(req.storageIndex)
  if (req.writeEnabler.byteLength !== WRITE_ENABLER_LENGTH) {
    throw new MalformedMessageError(`write enabler must be ${WRITE_ENABLER_LENGTH} bytes, got ${req.writeEnabler.byteLength}`)
  }
  const lease = requireLease(req.lease)
  if (req.shares.length > MAX_SLOT_SHARES) throw new LimitExceededError(`${req.shares.length} shares in one call; at most ${MAX_SLOT_SHARES}`)
  const vectors = new Map<number, SlotShareVectors>()
  let writeVectors = 0
  let bytes = 0
  for (const sh of req.shares) {
    const n = requireShareNumber(sh.shareNumber)
    if (vectors.has(n)) throw new MalformedMessageError(`share ${n} is named twice`)
    if (sh.test.length > MAX_TEST_VECTORS) throw new LimitExceededError(`share ${n}: ${sh.test.length} test vectors; at most ${MAX_TEST_VECTORS} per share`)
    writeVectors += sh.write.length
    for (const t of sh.test) bytes += t.specimen.byteLength
    for (const w of sh.write) bytes += w.data.byteLength
    vectors.set(n, {
      test: sh.test.map(t => ({ offset: requireCount('test offset', t.offset), size: requireCount('test size', t.size), specimen: t.specimen })),
      write: sh.write.map(w => ({ offset: requireCount('write offset', w.offset), data: w.data })),
      newLength: sh.newLength == null ? null : requireCount('new length', sh.newLength)
    })
  }
  if (writeVectors > MAX_SLOT_WRITE_VECTORS) throw new LimitExceededError(`${writeVectors} write vectors in one call; at most ${MAX_SLOT_WRITE_VECTORS}`)
  if (bytes > MAX_SLOT_WRITE_BYTES) {
    throw new LimitExceededError(`${bytes} bytes of write data and test specimens in one call; at most ${MAX_SLOT_WRITE_BYTES}: split the write over several calls`)
  }
  const result = await ctx.server.slotReadTestWrite(ctx.account, {
    storageIndex, writeEnabler: req.writeEnabler, lease, vectors, readVector: readVectorOf(req.read)
  })
  await ctx.reply({ slotReadTestWrite: { success: result.success, data: wireData(result.data) } })
}

export async function handleSlotRead (ctx: RequestContext, req: SlotReadRequest): Promise<void> {
  const storageIndex = requireStorageIndex(req.storageIndex)
  if (req.shareNumbers.length > MAX_SLOT_READ_SHARES) throw new LimitExceededError(`${req.shareNumbers.length} share numbers; at most ${MAX_SLOT_READ_SHARES}`)
  const shnums = [...new Set(req.shareNumbers.map(requireShareNumber))]
  const data = await ctx.server.slotRead(storageIndex, shnums, readVectorOf(req.read))
  await ctx.reply({ slotRead: { data: wireData(data) } })
}

export async function handleListSlotShares (ctx: RequestContext, req: ListSharesRequest): Promise<void> {
  const shares = await ctx.server.listSlotShares(requireStorageIndex(req.storageIndex))
  await ctx.reply({ listShares: { shares: shares.map(s => ({ shareNumber: s.shareNumber, size: s.size })) } })
}

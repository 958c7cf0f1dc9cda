/**
 * The client half of one helper upload attempt: check, then (unless the
 * file is stored) the crypttext from the helper's offset, then the answer.
 * An error frame the helper sends at any point stops the sending at once.
 */
import { FrameReader, writeFrame } from '../framing/index.js'
import { MalformedMessageError, RemoteStorageError, RequestTimeoutError, SlowDownError, StreamClosedError, errorMessage } from '../errors.js'
import { scopedSignal } from '../scoped-signal.js'
import {
  DEFAULT_HELPER_FINISH_TIMEOUT_MS, DEFAULT_HELPER_IDLE_TIMEOUT_MS, HELPER_PROTOCOL, HELPER_SEND_CHUNK, MAX_HELPER_RESPONSE_FRAME
} from './constants.js'
import { HelperBusyError, UploadInProgressError } from './errors.js'
import { HelperRequest, HelperResponse } from './message/helper.js'
import type { HelperCheck, HelperDone } from './types.js'
import type { StreamOpener } from '../storage/index.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface HelperAttemptOptions {
  signal?: AbortSignal
  /** Deadline for each answer before the last (default 30 s). */
  idleTimeoutMs?: number
  /** Deadline for the placement after the last byte (default 30 min). */
  finishTimeoutMs?: number
  /** The helper's offset is known: the client starts sending from it. */
  onResume?: (haveBytes: number) => void
  /** Crypttext bytes handed to the stream so far in this attempt. */
  onSent?: (bytes: number) => void
}

export interface HelperAttemptResult extends HelperDone {
  /** Where the helper said to start (0 for a new upload, the file size when it had it all). */
  resumedAt: number
  /** Crypttext bytes this attempt sent. */
  sentBytes: number
}

/** Re-raises an error answer with its code; refusals that say when to come back keep it. */
function remoteError (res: HelperResponse): Error {
  const { code, message } = res.error ?? { code: 'ERR_INTERNAL', message: 'no answer' }
  if (code === SlowDownError.code) return new SlowDownError(res.retryAfterMs, message)
  if (code === HelperBusyError.code) return new HelperBusyError(message, res.retryAfterMs)
  if (code === UploadInProgressError.code) return new UploadInProgressError(message, res.retryAfterMs)
  return new RemoteStorageError(code, message, true)
}

function decode (frame: { subarray: () => Uint8Array } | undefined): HelperResponse {
  if (frame == null) throw new StreamClosedError('the helper closed the stream without answering')
  try {
    return HelperResponse.decode(frame.subarray())
  } catch (err) {
    throw new MalformedMessageError(`undecodable helper answer: ${errorMessage(err)}`)
  }
}

function doneFromWire (res: HelperResponse): HelperDone {
  const d = res.done
  if (d == null) throw new MalformedMessageError('the helper answered neither a placement nor an error')
  if (d.uebHash.length !== 32) throw new MalformedMessageError(`a UEB hash is 32 bytes, the helper sent ${d.uebHash.length}`)
  return {
    uebHash: d.uebHash,
    placements: d.placements.map(p => ({ peerId: p.peerId, multiaddrs: p.multiaddrs, shares: p.shareNumbers })),
    happiness: d.happiness,
    alreadyStored: d.alreadyStored
  }
}

/**
 * One attempt. `crypttextFrom(offset)` yields the file's crypttext from
 * `offset` to its end. Throws the helper's refusal (RemoteStorageError with
 * its code, HelperBusyError, …) or a stream error when the connection drops.
 */
export async function helperUploadAttempt (opener: StreamOpener, helper: PeerId | Multiaddr, check: HelperCheck,
  crypttextFrom: (offset: number) => AsyncIterable<Uint8Array>, options: HelperAttemptOptions = {}): Promise<HelperAttemptResult> {
  const idleMs = options.idleTimeoutMs ?? DEFAULT_HELPER_IDLE_TIMEOUT_MS
  const scope = scopedSignal(options.signal)
  const signal = scope.signal
  let stream: Stream | undefined
  let reader: FrameReader | undefined
  const onAbort = (): void => { reader?.cancel(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))) }
  signal.addEventListener('abort', onAbort, { once: true })
  const within = async <T>(ms: number, what: string, p: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      return await Promise.race([p, new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => { reject(new RequestTimeoutError(`the helper gave no ${what} within ${ms} ms`)) }, ms)
      })])
    } finally {
      clearTimeout(timer)
    }
  }
  try {
    const dial = scopedSignal(signal, { ms: idleMs, error: () => new RequestTimeoutError(`no connection to the helper within ${idleMs} ms`) })
    try {
      stream = await opener.dialProtocol(helper, HELPER_PROTOCOL, { signal: dial.signal })
    } finally {
      dial.dispose()
    }
    reader = new FrameReader(stream, { maxFrameLength: MAX_HELPER_RESPONSE_FRAME })
    await writeFrame(stream, HelperRequest.encode({
      check: {
        storageIndex: check.storageIndex as Uint8Array<ArrayBuffer>,
        neededShares: check.k,
        happy: check.happy,
        totalShares: check.n,
        segmentSize: check.segmentSize,
        size: check.size,
        club: check.club ?? ''
      }
    }), signal)
    const first = decode(await within(idleMs, 'answer to the check', reader.read()))
    if (first.error != null) throw remoteError(first)
    if (first.done != null) return { ...doneFromWire(first), resumedAt: check.size, sentBytes: 0 }
    if (first.check == null) throw new MalformedMessageError('the helper answered the check with neither an offset nor a placement')
    const resumedAt = first.check.haveBytes
    if (!Number.isSafeInteger(resumedAt) || resumedAt > check.size) throw new MalformedMessageError(`the helper claims ${resumedAt} bytes of a ${check.size}-byte file`)
    options.onResume?.(resumedAt)
    // The answer (an early refusal, or the placement) is read while sending.
    const answer = reader.read()
    const state = { answered: false }
    answer.then(() => { state.answered = true }, () => { state.answered = true })
    let offset = resumedAt
    let sentBytes = 0
    const s = stream
    for await (const chunk of crypttextFrom(resumedAt)) {
      for (let at = 0; at < chunk.length && !state.answered; at += HELPER_SEND_CHUNK) {
        const data = chunk.subarray(at, Math.min(chunk.length, at + HELPER_SEND_CHUNK))
        const written = writeFrame(s, HelperRequest.encode({ data: { offset, data: data as Uint8Array<ArrayBuffer> } }), signal)
        // when the answer wins, the write may fail later as the stream is aborted: nobody waits for it then
        written.catch(() => {})
        // a helper that stops reading and never answers would hold the upload for ever
        await within(idleMs, 'room for more crypttext', Promise.race([written, answer]))
        offset += data.length
        sentBytes += data.length
        options.onSent?.(sentBytes)
      }
      if (state.answered) break
    }
    if (!state.answered && offset !== check.size) throw new MalformedMessageError(`the crypttext source ended at ${offset} of ${check.size} bytes`)
    const finishMs = options.finishTimeoutMs ?? DEFAULT_HELPER_FINISH_TIMEOUT_MS
    const last = decode(await within(finishMs, 'placement', answer))
    if (last.error != null) throw remoteError(last)
    return { ...doneFromWire(last), resumedAt, sentBytes }
  } catch (err) {
    stream?.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  } finally {
    signal.removeEventListener('abort', onAbort)
    reader?.dispose()
    scope.dispose()
    if (stream != null && stream.status === 'open') await stream.close().catch(() => {})
  }
}

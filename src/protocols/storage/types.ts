import type { Libp2p } from '@libp2p/interface'

export type { LeaseSecrets, ReadVector, TestVector, WriteVector } from '../../storage/index.js'
import type { ReadVector, TestVector, WriteVector } from '../../storage/index.js'

/** Anything that can open a stream to a peer: a libp2p node (whose logger is used when it has one). */
export type StreamOpener = Pick<Libp2p, 'dialProtocol'> & Partial<Pick<Libp2p, 'logger' | 'getConnections' | 'addEventListener' | 'removeEventListener'>>

export interface StorageClientOptions {
  /** Fail the session when pending requests see no answer for this long (default 30 s). */
  requestTimeoutMs?: number
  /** Close the session stream after this long without requests (default 60 s). */
  idleTimeoutMs?: number
  /** Unacknowledged write bytes allowed in flight (default DEFAULT_WRITE_WINDOW, 4 MiB). */
  writeWindow?: number
}

export interface ServerVersion {
  maximumImmutableShareSize: number
  availableSpace: number
  applicationVersion: string
  /** Largest write the server takes in one request (the client splits bigger ones). */
  maxWriteSize: number
  /** Largest read range per request (the client splits bigger ones). */
  maxReadSize: number
}

export interface AllocateAnswer {
  /** Share numbers this client may now write. */
  allocated: number[]
  /** Every share number the server already holds for this storage index. */
  alreadyHave: number[]
}

export interface ShareSize { shareNumber: number, size: number }

/** What one read-test-write does to one share of a slot. */
export interface SlotShareWrite {
  shareNumber: number
  /** All must pass (equality of the share's data with the specimen; a missing share reads as empty). */
  test?: TestVector[]
  write?: WriteVector[]
  /** 0 deletes the share; a smaller length truncates; absent or null: as the writes leave it. */
  newLength?: number | null
}

export interface SlotWriteAnswer {
  /** Every test vector passed and the writes were applied. */
  success: boolean
  /** The read vector's data from every share that existed before the call, read before writing. */
  data: Map<number, Uint8Array[]>
}

export type { ReadVector as SlotReadVector }

/** What the helper protocol asks of the service behind it (src/helper implements it). */

/** The client's plan, as much of it as the helper needs: never the key. */
export interface HelperCheck {
  storageIndex: Uint8Array
  k: number
  happy: number
  n: number
  segmentSize: number
  size: number
  /** The club whose servers get the shares; absent: the helper's own choice (its default club, else the servers it is connected to). */
  club?: string
}

export interface HelperPlacement {
  peerId: string
  multiaddrs: string[]
  shares: number[]
}

export interface HelperDone {
  /** SHA-256d of the URI extension block: with its key, the client makes the cap. */
  uebHash: Uint8Array
  placements: HelperPlacement[]
  happiness: number
  /** The file was in the grid already; no crypttext was needed. */
  alreadyStored: boolean
}

/** An upload the helper holds part of; one stream at a time uses it. */
export interface HelperUploadSession {
  /** Crypttext bytes held (the client sends from here). */
  readonly haveBytes: number
  /** Appends the next bytes (at haveBytes) to the spool. */
  append: (data: Uint8Array) => Promise<void>
  /** Every byte is held: encode, place, and say where. */
  finish: () => Promise<HelperDone>
  /** The stream is done with it (finished, or ended early: the spool stays for a resume). */
  release: () => void
}

export interface HelperBackend {
  /** Throws the refusal for a client this helper does not serve, before anything it sends is read. */
  admit?: (peer: string) => void
  /**
   * Starts or resumes the upload of `check` for the client `peer` (its
   * authenticated peer ID): the file's placement when it is stored already,
   * else a session. Throws the typed refusals of ./errors.ts.
   */
  open: (peer: string, check: HelperCheck) => Promise<{ done: HelperDone } | { session: HelperUploadSession }>
}

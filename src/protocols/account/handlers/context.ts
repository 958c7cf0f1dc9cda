import type { StorageServer } from '../../../storage/index.js'

export interface AccountContext {
  server: StorageServer
  /** The caller's peer ID string, authenticated by Noise. */
  account: string
}

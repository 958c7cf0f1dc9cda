import type { Response } from './message/storage.js'
import type { StorageServer } from '../../storage/index.js'

export type ResponseBody = Omit<Partial<Response>, 'id'>

/** What a request handler gets: the storage server, the caller's account, and a way to answer. */
export interface RequestContext {
  readonly server: StorageServer
  /** The caller's peer ID string, authenticated by Noise. */
  readonly account: string
  /** Sends one answer frame for the current request, waiting while the stream is full. */
  reply(body: ResponseBody): Promise<void>
}

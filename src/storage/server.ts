import type { StorageServer, StorageServerOptions } from './types.js'

export async function createStorageServer (_opts: StorageServerOptions): Promise<StorageServer> {
  throw new Error('storage server not implemented yet')
}

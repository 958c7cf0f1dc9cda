/**
 * `node.accounts`: this node's accounts on storage servers (terms, usage,
 * redeeming invitations, over the account protocol) and the invitations its
 * own storage server hands out.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { serversFromMultiaddrs } from '../client/index.js'
import { AccountClient } from '../protocols/index.js'
import { BadPeerIdError, BadServerError, NoStorageServersError, StorageDisabledError } from './errors.js'
import { connectedStorageServers } from './peers.js'
import type { AccountsApi } from './api.js'
import type { LafsLibp2p } from './libp2p.js'
import type { ServerAnswer } from './shapes.js'
import type { StorageServer } from '../storage/index.js'
import type { Logger, PeerId } from '@libp2p/interface'

export interface AccountsInit {
  libp2p: LafsLibp2p
  storage?: StorageServer
  log: Logger
}

/** A server named by multiaddr (with /p2p/) or peer ID. */
function target (server: string): { id: string, dial: PeerId | Multiaddr } {
  if (server.startsWith('/')) {
    let info
    try { [info] = serversFromMultiaddrs([server]) } catch { throw new BadServerError(server) }
    return { id: info.peerId, dial: multiaddr(server) }
  }
  try {
    const id = peerIdFromString(server)
    return { id: id.toString(), dial: id }
  } catch {
    throw new BadServerError(server)
  }
}

/** A client's peer ID in its canonical string form. */
function accountId (peerId: string): string {
  try {
    return peerIdFromString(peerId).toString()
  } catch {
    throw new BadPeerIdError(peerId)
  }
}

function errorOf (err: unknown): { code: string, message: string } {
  const e = err as { code?: unknown, message?: unknown }
  return { code: typeof e?.code === 'string' ? e.code : 'ERR_INTERNAL', message: typeof e?.message === 'string' ? e.message : String(err) }
}

export function createAccounts (init: AccountsInit): AccountsApi {
  const { libp2p, storage, log } = init

  const targets = async (server: string | undefined): Promise<Array<{ id: string, dial: PeerId | Multiaddr }>> => {
    if (server !== undefined) return [target(server)]
    const all = await connectedStorageServers(libp2p)
    if (all.length === 0) throw new NoStorageServersError()
    return all.map(s => ({ id: s.peerId, dial: peerIdFromString(s.peerId) }))
  }

  const ask = async <T>(servers: Array<{ id: string, dial: PeerId | Multiaddr }>, what: string, fn: (c: AccountClient) => Promise<T>): Promise<Array<ServerAnswer<T>>> =>
    await Promise.all(servers.map(async s => {
      try {
        return { server: s.id, result: await fn(new AccountClient(libp2p, s.dial)) }
      } catch (err) {
        log('%s at %s failed: %s', what, s.id, (err as Error).message)
        return { server: s.id, error: errorOf(err) }
      }
    }))

  return {
    terms: async (server) => {
      if (server === undefined && storage !== undefined) {
        const remote = await connectedStorageServers(libp2p)
        const others = remote.length > 0 ? await ask(remote.map(s => ({ id: s.peerId, dial: peerIdFromString(s.peerId) })), 'terms', async c => await c.terms()) : []
        return [{ server: libp2p.peerId.toString(), result: storage.terms() }, ...others]
      }
      return await ask(await targets(server), 'terms', async c => await c.terms())
    },
    usage: async (server) => await ask(await targets(server), 'usage', async c => {
      const u = await c.usage()
      return { bytes: u.bytes, shares: u.shares, leases: u.leases, quota: u.quota, reserved: u.reserved }
    }),
    redeem: async (code, server) => await ask(await targets(server), 'redeem', async c => await c.redeem(code)),
    grant: async (peerId, { quota, note }) => {
      if (storage === undefined) throw new StorageDisabledError('granting an account')
      const granted = storage.grantAccount(accountId(peerId), { quota, note })
      log('granted %s a quota of %d bytes', granted.account, quota)
      return granted
    },
    revoke: async (peerId) => {
      if (storage === undefined) throw new StorageDisabledError('revoking an account')
      const revoked = storage.revokeAccount(accountId(peerId))
      log('revoked %s: %s', peerId, revoked ? 'back to the free limits' : 'was not granted')
      return { revoked }
    },
    list: async (opts = {}) => {
      if (storage === undefined) throw new StorageDisabledError('listing accounts')
      return storage.listAccounts(opts)
    },
    createInvitation: async ({ quota, note }) => {
      if (storage === undefined) throw new StorageDisabledError('an invitation')
      const code = storage.createInvitation({ quota, note })
      log('made an invitation for a quota of %d bytes', quota)
      return { code, quota }
    }
  }
}

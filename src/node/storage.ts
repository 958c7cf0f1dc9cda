/**
 * The storage side of a node: the share store from src/storage, served over
 * the protocols from src/protocols, with provider records in the DHT for
 * every storage index it holds (so downloaders find shares without a club).
 */
import { ProviderAnnouncer } from '../dht/index.js'
import { registerStorageProtocols, type StorageProtocolsOptions } from '../protocols/index.js'
import { createStorageServer, serverIdOf, type ShareEventDetail, type StorageServer, type StorageServerOptions } from '../storage/index.js'
import type { NodeConfig } from './config.js'
import type { PeerId } from '@libp2p/interface'
import type { LafsLibp2p } from './libp2p.js'
import type { LocalProtocols } from './self-streams.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** The limits of config.json's `storage` section in the storage server's terms. */
function storageLimits (c: NodeConfig['storage']): Partial<StorageServerOptions> {
  return {
    maxUploads: c.maxUploads,
    freeLimits: { uploads: c.freeMaxUploads, shares: c.freeMaxShares, storageIndexes: c.freeMaxStorageIndexes },
    grantedLimits: { uploads: c.grantedMaxUploads, shares: c.grantedMaxShares, storageIndexes: c.grantedMaxStorageIndexes },
    freeBudget: c.freeBudget ?? undefined,
    freeMaxReservations: c.freeMaxReservations,
    reservationTimeoutMs: c.reservationTimeoutSeconds * 1000,
    disconnectGraceMs: c.disconnectGraceSeconds * 1000,
    advisoriesPerReporter: c.advisoriesPerReporter,
    maxAdvisories: c.maxAdvisories,
    advisoryRetentionMs: Math.round(c.advisoryRetentionDays * DAY_MS),
    advisoriesPerMinute: c.advisoriesPerMinute
  }
}

/** The memory limits of config.json's `storage` section in the storage protocol's terms. */
function protocolLimits (c: NodeConfig['storage']): StorageProtocolsOptions {
  return {
    maxStorageStreamsPerConnection: c.sessionsPerConnection,
    writeBudget: { totalBytes: c.writeBudget, sessionBytes: c.sessionWriteBudget }
  }
}

export interface NodeStorage {
  server: StorageServer
  announcer: ProviderAnnouncer
  /** Stops serving, stops announcing and closes the database. Idempotent. */
  close: () => Promise<void>
}

/**
 * `local`, when given, records the protocol handlers so this node can also
 * be its own storage client (src/node/self-streams.ts).
 */
export async function startStorage (libp2p: LafsLibp2p, config: NodeConfig, dir: string, local?: LocalProtocols, servedClubs?: () => readonly string[]): Promise<NodeStorage> {
  const server = await createStorageServer({
    dir,
    logger: libp2p.logger,
    serverId: serverIdOf(libp2p.peerId),
    capacity: config.storage.capacity ?? undefined,
    freeQuota: config.storage.freeQuota,
    leaseDurationMs: Math.round(config.storage.leaseDays * DAY_MS),
    paymentMethods: config.storage.paymentMethods,
    invitationExplanation: config.storage.invitationExplanation,
    ...storageLimits(config.storage)
  })
  let unregister: (() => Promise<void>) | undefined
  try {
    unregister = await registerStorageProtocols(local?.registrar(libp2p) ?? libp2p, server, {
      ...protocolLimits(config.storage),
      servedClubs: config.storage.nameClubs ? servedClubs : undefined
    })
  } catch (err) {
    await server.stop()
    throw err
  }

  const announcer = new ProviderAnnouncer(libp2p.services.dht, { list: () => server.storageIndexes(), logger: libp2p.logger })
  const onStored = (e: Event): void => { announcer.announce((e as CustomEvent<ShareEventDetail>).detail.storageIndex) }
  const onDeleted = (e: Event): void => {
    const { storageIndex } = (e as CustomEvent<ShareEventDetail>).detail
    // Withdraw only when the last share of this storage index is gone.
    server.listShares(storageIndex).then(left => { if (left.length === 0) announcer.withdraw(storageIndex) }, () => {})
  }
  server.addEventListener('share-stored', onStored)
  server.addEventListener('share-deleted', onDeleted)
  announcer.start()

  // The server aborts an account's uploads after a grace period with no
  // connection; libp2p says when a peer's first connection opens and its last closes.
  const onConnect = (e: CustomEvent<PeerId>): void => { server.accountConnected(e.detail.toString()) }
  const onDisconnect = (e: CustomEvent<PeerId>): void => { server.accountDisconnected(e.detail.toString()) }
  libp2p.addEventListener('peer:connect', onConnect)
  libp2p.addEventListener('peer:disconnect', onDisconnect)

  let closing: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closing ??= (async () => {
      libp2p.removeEventListener('peer:connect', onConnect)
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      server.removeEventListener('share-stored', onStored)
      server.removeEventListener('share-deleted', onDeleted)
      announcer.stop()
      try {
        await unregister?.()
      } finally {
        await server.stop()
      }
    })()
    await closing
  }
  return { server, announcer, close }
}

/**
 * The upload helper a node offers when `helper.enabled` is set: the service
 * of src/helper on this node's libp2p, spooling under `<dataDir>/helper`,
 * placing shares on the servers of the club the client names, if this node
 * owns or belongs to it (else the default club's, else the storage servers
 * it is connected to, as an upload without a club does) under this node's
 * own lease secret.
 */
import { join } from 'node:path'
import { mkdir } from 'node:fs/promises'
import { createUploadHelper, type UploadHelper } from '../helper/index.js'
import { NoServersError, type ReputationTable, type ServerInfo } from '../client/index.js'
import { HelperNotAllowedError } from '../protocols/index.js'
import { connectedStorageServers } from './peers.js'
import type { NodeConfig } from './config.js'
import type { LafsLibp2p } from './libp2p.js'
import type { StreamOpener } from '../protocols/index.js'

export interface NodeHelperInit {
  libp2p: LafsLibp2p
  opener: StreamOpener
  config: NodeConfig
  dataDir: string
  leaseSecret: Uint8Array
  clubServers: (clubId: string, opts: { signal?: AbortSignal }) => Promise<ServerInfo[]>
  /** The clubs this node owns or belongs to: the only ones a client may have the helper place on. */
  memberClubs: () => Promise<string[]>
  reputation?: ReputationTable
}

/** Finding a club's roster for an upload (the helper holds an upload slot meanwhile). */
const CLUB_LOOKUP_MS = 30_000

export async function startNodeHelper (init: NodeHelperInit): Promise<UploadHelper> {
  const { config, libp2p } = init
  const dir = join(init.dataDir, 'helper')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const servers = async (asked?: string): Promise<ServerInfo[]> => {
    // A stranger naming a club of its own would have this node send N/k times its file to servers of the
    // stranger's choosing, under this node's account: only clubs the operator owns or joined are served.
    if (asked != null && asked !== config.client.club && !(await init.memberClubs()).includes(asked)) {
      throw new HelperNotAllowedError(`this helper places shares only on the clubs it belongs to, and club ${asked} is not one of them; upload directly or through a helper of that club`)
    }
    const club = asked ?? config.client.club
    if (club != null) return await init.clubServers(club, { signal: AbortSignal.timeout(CLUB_LOOKUP_MS) })
    const connected = await connectedStorageServers(libp2p)
    if (connected.length > 0) return connected
    throw new NoServersError('this helper has no storage servers to place shares on: it has no default club and is connected to no storage server')
  }
  const helper = createUploadHelper({
    opener: init.opener,
    dir,
    leaseSecret: init.leaseSecret,
    servers,
    spoolBytes: config.helper.spoolBytes,
    clientSpoolBytes: config.helper.clientSpoolBytes,
    maxUploads: config.helper.maxUploads,
    partialExpiryMs: config.helper.partialExpirySeconds * 1000,
    allowClient: config.helper.clients == null ? undefined : (clients => (peer: string) => clients.has(peer))(new Set(config.helper.clients)),
    reputation: init.reputation,
    logger: libp2p.logger
  })
  await helper.start(libp2p)
  return helper
}

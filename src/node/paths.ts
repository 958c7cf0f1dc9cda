/**
 * Layout of a data folder. One place names every file so init, the node and
 * the docs agree.
 *
 *   <dataDir>/            mode 0700
 *     config.json         settings (docs/config.md)
 *     private/            mode 0700
 *       identity.key      libp2p Ed25519 private key (protobuf), 0600
 *       convergence       convergence secret (base32 of 32 bytes), 0600
 *       secret            lease secret (base32 of 32 bytes), 0600
 *       magic-folders/    folders.json (the folders and their caps, 0600) and one <hash>.sqlite sync state per folder
 *     datastore/          libp2p datastore (LevelDB): peer store, DHT records
 *     storage/            storage server: shares and storage.sqlite
 *     leases.sqlite       caps this node uploaded and their lease expiry
 *     reputation.sqlite   what this node saw of each storage server (docs/architecture.md, "Server reputation")
 */
import { isAbsolute, join } from 'node:path'

export interface DataDirPaths {
  root: string
  config: string
  privateDir: string
  identityKey: string
  leaseSecret: string
  datastore: string
  storage: string
  leases: string
  reputation: string
}

export function dataDirPaths (dataDir: string): DataDirPaths {
  const privateDir = join(dataDir, 'private')
  return {
    root: dataDir,
    config: join(dataDir, 'config.json'),
    privateDir,
    identityKey: join(privateDir, 'identity.key'),
    leaseSecret: join(privateDir, 'secret'),
    datastore: join(dataDir, 'datastore'),
    storage: join(dataDir, 'storage'),
    leases: join(dataDir, 'leases.sqlite'),
    reputation: join(dataDir, 'reputation.sqlite')
  }
}

/** The convergence secret's file: config.convergenceSecretFile, relative to the data folder. */
export function convergenceSecretPath (dataDir: string, file: string): string {
  return isAbsolute(file) ? file : join(dataDir, file)
}

/**
 * Creating and opening a data folder. `initDataDir` is what `lafs-club init`
 * does; `openDataDir` is what `start` does and fails with a clear error when
 * the folder was never initialized; `ensureDataDir` initializes on first use,
 * for applications that embed a node (like `ipfs init` done implicitly).
 */
import { chmod, mkdir, stat } from 'node:fs/promises'
import type { PrivateKey } from '@libp2p/interface'
import { defaultConfig, mergeConfig, type ConfigInput, type NodeConfig } from './config.js'
import { loadConfigFile, writeConfigFile } from './config-file.js'
import { AlreadyInitializedError } from './errors.js'
import { loadOrCreateIdentity, peerIdString } from './identity.js'
import { convergenceSecretPath, dataDirPaths, type DataDirPaths } from './paths.js'
import { loadOrCreateSecret } from './secrets.js'

export interface InitOptions {
  /** Settings written into config.json instead of the defaults (validated first). */
  config?: ConfigInput
}

export interface InitResult {
  dataDir: string
  peerId: string
  config: NodeConfig
}

/** Everything a node needs from its data folder. */
export interface OpenedDataDir {
  paths: DataDirPaths
  config: NodeConfig
  privateKey: PrivateKey
  peerId: string
  convergenceSecret: Uint8Array
  leaseSecret: Uint8Array
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err: any) {
    if (err?.code === 'ENOENT') return false
    throw err
  }
}

async function makePrivateDir (path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 })
  // mkdir leaves an existing folder's mode alone, and the umask may differ.
  await chmod(path, 0o700)
}

/**
 * Creates a data folder: the folder (0700), config.json with the defaults (or
 * `opts.config` over them), the identity key, the convergence secret and the
 * lease secret. Refuses a folder that already has a config.json.
 */
export async function initDataDir (dataDir: string, opts: InitOptions = {}): Promise<InitResult> {
  const paths = dataDirPaths(dataDir)
  if (await exists(paths.config)) throw new AlreadyInitializedError(dataDir)
  const config = mergeConfig(defaultConfig(), opts.config ?? {}, 'init options')
  await makePrivateDir(paths.root)
  await makePrivateDir(paths.privateDir)
  const key = await loadOrCreateIdentity(paths.identityKey)
  await loadOrCreateSecret(convergenceSecretPath(dataDir, config.convergenceSecretFile))
  await loadOrCreateSecret(paths.leaseSecret)
  // Written last: its presence is what marks the folder as initialized.
  await writeConfigFile(paths.config, config)
  return { dataDir, peerId: peerIdString(key), config }
}

/**
 * Opens an initialized data folder: validates config.json and reads the key
 * and secrets (creating a missing secret file, as Tahoe does). Throws
 * MissingDataDirError when there is no config.json, ConfigError when it is wrong.
 */
export async function openDataDir (dataDir: string): Promise<OpenedDataDir> {
  const paths = dataDirPaths(dataDir)
  const config = await loadConfigFile(paths.config, dataDir)
  await makePrivateDir(paths.privateDir)
  const privateKey = await loadOrCreateIdentity(paths.identityKey)
  return {
    paths,
    config,
    privateKey,
    peerId: peerIdString(privateKey),
    convergenceSecret: await loadOrCreateSecret(convergenceSecretPath(dataDir, config.convergenceSecretFile)),
    leaseSecret: await loadOrCreateSecret(paths.leaseSecret)
  }
}

/** openDataDir, initializing the folder first when it has no config.json yet. */
export async function ensureDataDir (dataDir: string): Promise<OpenedDataDir> {
  if (!(await exists(dataDirPaths(dataDir).config))) {
    try {
      await initDataDir(dataDir)
    } catch (err) {
      if (!(err instanceof AlreadyInitializedError)) throw err
    }
  }
  return await openDataDir(dataDir)
}

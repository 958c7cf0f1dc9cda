/**
 * Typed errors of the node layer. Each has a stable `code` so the CLI and
 * scripts can branch on it, and a message that tells the user what to do.
 */

/** A config value is wrong: names the key, what is expected and what was found. */
export class ConfigError extends Error {
  readonly code = 'ERR_INVALID_CONFIG'
  /** Dotted path of the offending key, e.g. `dht.clientMode`; '' for the whole file. */
  readonly key: string

  constructor (key: string, problem: string, source = 'config') {
    super(key === '' ? `${source}: ${problem}` : `${source}: "${key}" ${problem}`)
    this.name = 'ConfigError'
    this.key = key
  }
}

/** The data folder (or its config.json) does not exist. */
export class MissingDataDirError extends Error {
  readonly code = 'ERR_NO_DATA_DIR'
  readonly dataDir: string

  constructor (dataDir: string) {
    super(`No lafs-club data folder at ${dataDir} (config.json not found). Run "lafs-club init" to create one, or pass --data DIR to use another folder.`)
    this.name = 'MissingDataDirError'
    this.dataDir = dataDir
  }
}

/** `init` on a folder that already holds a lafs-club config. */
export class AlreadyInitializedError extends Error {
  readonly code = 'ERR_ALREADY_INITIALIZED'
  readonly dataDir: string

  constructor (dataDir: string) {
    super(`${dataDir} is already a lafs-club data folder (config.json exists). Use it as it is, or pick another folder.`)
    this.name = 'AlreadyInitializedError'
    this.dataDir = dataDir
  }
}

/** Another process (or another node in this process) has the data folder open. */
export class DataDirInUseError extends Error {
  readonly code = 'ERR_DATA_DIR_IN_USE'
  readonly dataDir: string

  constructor (dataDir: string, cause?: unknown) {
    super(`The data folder ${dataDir} is in use by another lafs-club node. Stop that node first, or use another folder.`, { cause })
    this.name = 'DataDirInUseError'
    this.dataDir = dataDir
  }
}

/** A file in the data folder's private/ directory is unreadable or malformed. */
export class KeyFileError extends Error {
  readonly code = 'ERR_BAD_KEY_FILE'
  readonly path: string

  constructor (path: string, problem: string, cause?: unknown) {
    super(`${path}: ${problem}. Restore it from a backup; deleting it creates a new one, which changes this node's identity or secrets.`, { cause })
    this.name = 'KeyFileError'
    this.path = path
  }
}

/** The node was stopped; it cannot be used any more. */
export class NodeStoppedError extends Error {
  readonly code = 'ERR_NODE_STOPPED'

  constructor () {
    super('This lafs-club node has been stopped; create a new one with createNode()')
    this.name = 'NodeStoppedError'
  }
}

/** An operation of the node's own storage server on a node that runs none. */
export class StorageDisabledError extends Error {
  readonly code = 'ERR_STORAGE_DISABLED'

  constructor (what: string) {
    super(`${what} needs this node's storage server, and it runs none. Set "storage.enabled" to true in config.json and restart.`)
    this.name = 'StorageDisabledError'
  }
}

/** A server named by the user is neither a multiaddr ending in /p2p/<peer id> nor a peer ID. */
export class BadServerError extends Error {
  readonly code = 'ERR_BAD_SERVER_ADDRESS'

  constructor (server: string) {
    super(`"${server}" is neither a multiaddr ending in /p2p/<peer id> nor a peer ID`)
    this.name = 'BadServerError'
  }
}

/** A client account named by something that is not a peer ID. */
export class BadPeerIdError extends Error {
  readonly code = 'ERR_INVALID_PEER_ID'

  constructor (text: string) {
    super(`"${text.slice(0, 80)}" is not a peer ID (12D3KooW… or Qm…); an account is named by the client's peer ID`)
    this.name = 'BadPeerIdError'
  }
}

/** An account question with no server to ask. */
export class NoStorageServersError extends Error {
  readonly code = 'ERR_NO_SERVERS'

  constructor () {
    super('this node is connected to no storage server; name one with --server MULTIADDR (server=<multiaddr> in the API)')
    this.name = 'NoStorageServersError'
  }
}

/** A dial to this node's own peer ID for a protocol it does not serve (its storage server is off). */
export class SelfProtocolNotServedError extends Error {
  readonly code = 'ERR_SELF_NOT_SERVED'

  constructor (protocols: string) {
    super(`this node was asked to talk to itself over ${protocols}, which it does not serve: its storage server is off ("storage.enabled" in config.json), so it cannot keep shares itself`)
    this.name = 'SelfProtocolNotServedError'
  }
}

/** A duration (a roster's validity) that is neither a number of ms nor text such as `30d`. */
export class BadDurationError extends Error {
  readonly code = 'ERR_INVALID_ARGUMENT'

  constructor (text: string) {
    super(`"${text.slice(0, 40)}" is not a duration; write it as 30d, 36h, 90m or a number of seconds`)
    this.name = 'BadDurationError'
  }
}

/**
 * Errors of the magic-folder layer. Each has a stable `code`; the message
 * says what to do about it.
 */
export class MagicFolderError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MagicFolderError'
    this.code = code
  }
}

export class NoSuchFolderError extends MagicFolderError {
  constructor (name: string) {
    super('ERR_NO_SUCH_MAGIC_FOLDER', `no magic folder named '${name}' on this node; see the list of folders`)
    this.name = 'NoSuchFolderError'
  }
}

export class FolderExistsError extends MagicFolderError {
  constructor (name: string) {
    super('ERR_MAGIC_FOLDER_EXISTS', `a magic folder named '${name}' already exists on this node; pick another name or remove it first`)
    this.name = 'FolderExistsError'
  }
}

export class InvalidFolderInputError extends MagicFolderError {
  constructor (what: string, problem: string) {
    super('ERR_INVALID_MAGIC_FOLDER_INPUT', `${what}: ${problem}`)
    this.name = 'InvalidFolderInputError'
  }
}

export class NotAdminError extends MagicFolderError {
  constructor (name: string) {
    super('ERR_NOT_MAGIC_FOLDER_ADMIN', `only the node that created magic folder '${name}' holds its collective's write cap and can invite; ask that node for an invite`)
    this.name = 'NotAdminError'
  }
}

export class InvalidInviteError extends MagicFolderError {
  constructor (problem: string) {
    super('ERR_INVALID_MAGIC_FOLDER_INVITE', `not a magic-folder invite code: ${problem}; copy the whole line the inviter printed`)
    this.name = 'InvalidInviteError'
  }
}

export class InvalidMangledNameError extends MagicFolderError {
  constructor (name: string) {
    super('ERR_INVALID_MANGLED_NAME', `'${name}' is not a mangled magic-folder path (a lone '@' must be followed by '@' or '_')`)
    this.name = 'InvalidMangledNameError'
  }
}

export class InvalidSnapshotError extends MagicFolderError {
  constructor (problem: string) {
    super('ERR_INVALID_SNAPSHOT', `not a magic-folder snapshot: ${problem}`)
    this.name = 'InvalidSnapshotError'
  }
}

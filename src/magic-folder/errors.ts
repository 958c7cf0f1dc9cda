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

/** Reported (never thrown out of the loop) when a remote name is one with a local name on a case-insensitive filesystem. */
export class NameCollisionError extends MagicFolderError {
  constructor (relpath: string, other: string, copy?: string) {
    super('ERR_NAME_COLLISION', `'${relpath}' and '${other}' are one name on this folder's filesystem (it ignores case, or they differ only in Unicode normalisation): ` +
      `${copy !== undefined ? `the other participant's '${relpath}' was written as '${copy}'` : `'${relpath}' is not written`}; rename one of them on the side that has both`)
    this.name = 'NameCollisionError'
  }
}

export class NoSuchFileVersionError extends MagicFolderError {
  constructor (folder: string, relpath: string, version?: number) {
    super('ERR_NO_SUCH_FILE_VERSION', version === undefined
      ? `magic folder '${folder}' has no history for '${relpath}' (check the path, relative to the folder; see the folder's files with "magic-folder status")`
      : `'${relpath}' in magic folder '${folder}' has no version ${version}; "magic-folder history ${folder} ${relpath}" lists the versions`)
    this.name = 'NoSuchFileVersionError'
  }
}

export class LocalChangePendingError extends MagicFolderError {
  constructor (relpath: string) {
    super('ERR_LOCAL_CHANGE_PENDING', `'${relpath}' has a local change that is not uploaded yet; restoring now would overwrite it — wait until it has synced (see "magic-folder status"), or move the file away first`)
    this.name = 'LocalChangePendingError'
  }
}

export class FolderStoppedError extends MagicFolderError {
  constructor (name: string) {
    super('ERR_MAGIC_FOLDER_STOPPED', `magic folder '${name}' is stopping or stopped; try again once the node runs it`)
    this.name = 'FolderStoppedError'
  }
}

/** The local folder's disk is full: a download could not be written. Reported against the file; the next poll tries again. */
export class DiskFullError extends MagicFolderError {
  constructor (relpath: string, root: string, options?: { cause?: unknown }) {
    super('ERR_DISK_FULL', `the disk holding magic folder '${root}' is full: the other participant's '${relpath}' could not be written (its partial copy was removed). ` +
      'Free some space on that disk (or give the folder a larger one); it is downloaded again at the next poll', options)
    this.name = 'DiskFullError'
  }
}

/** A file of the local folder cannot be read (upload) or written (download) by the user the node runs as. */
export class LocalPermissionError extends MagicFolderError {
  constructor (relpath: string, direction: 'read' | 'write', errno: string, where?: string, options?: { cause?: unknown }) {
    const at = where !== undefined ? ` on ${where}` : ''
    super('ERR_PERMISSION_DENIED', direction === 'read'
      ? `'${relpath}' cannot be read (${errno}${at}), so it is not uploaded: make it readable for the user the node runs as; it is tried again at every scan`
      : `'${relpath}' cannot be written into the folder (${errno}${at}): make the file and the folder it goes in writable for the user the node runs as ` +
        '(check its permissions, `lsattr` for the immutable flag, a read-only mount); it is tried again at every poll', options)
    this.name = 'LocalPermissionError'
  }
}

/**
 * A local file-system error of one file in the status's words (full disk, permission denied); anything
 * else is answered as it is. `direction` is what the folder was doing with the file.
 */
export function localFileError (err: unknown, relpath: string, root: string, direction: 'read' | 'write'): unknown {
  const e = err as (NodeJS.ErrnoException & { dest?: string }) | undefined
  const code = e?.code
  if (direction === 'write' && (code === 'ENOSPC' || code === 'EDQUOT')) return new DiskFullError(relpath, root, { cause: err })
  // A rename names its target in `dest`: that is the path in the way, not the staged copy.
  if (code === 'EACCES' || code === 'EPERM' || (direction === 'write' && code === 'EROFS')) return new LocalPermissionError(relpath, direction, code, e?.dest ?? e?.path, { cause: err })
  return err
}

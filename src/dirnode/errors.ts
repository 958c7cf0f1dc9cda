/**
 * Errors raised by the directory (dirnode) format code. Every class has a
 * stable `code`; the cap and name errors carry a `reason` so callers (CLI,
 * gateway) can branch without parsing messages.
 */
export class DirnodeError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DirnodeError'
    this.code = code
  }
}

/** Why a directory cap string was refused. */
export type DirCapErrorReason =
  | 'unknown-type' // not one of the URI:DIR2… prefixes
  | 'bad-inner-cap' // the fields after the prefix are not a valid file cap of the matching kind
  | 'readonly-prefix' // a write cap behind Tahoe's 'ro.' or 'imm.' marker, or a mutable cap behind 'imm.'
  | 'bad-hint' // the '@<clubId>' suffix is empty or malformed

export class InvalidDirCapError extends DirnodeError {
  readonly reason: DirCapErrorReason
  constructor (reason: DirCapErrorReason, message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_DIR_CAP', message, options)
    this.name = 'InvalidDirCapError'
    this.reason = reason
  }
}

export type ChildNameErrorReason = 'empty' | 'slash' | 'not-a-string' | 'bad-utf8'

/** A child name Tahoe's web and CLI layers would refuse: empty, or containing '/'. */
export class InvalidChildNameError extends DirnodeError {
  readonly reason: ChildNameErrorReason
  constructor (reason: ChildNameErrorReason, message: string) {
    super('ERR_INVALID_CHILD_NAME', message)
    this.name = 'InvalidChildNameError'
    this.reason = reason
  }
}

/** A write on a directory opened through a read-only (or immutable) cap. */
export class ReadOnlyDirectoryError extends DirnodeError {
  constructor (operation: string, why: 'read-only' | 'immutable') {
    super('ERR_READ_ONLY_DIRECTORY', why === 'immutable'
      ? `cannot ${operation}: this is an immutable directory (URI:DIR2-CHK:/URI:DIR2-LIT:); its contents never change — make a new directory instead`
      : `cannot ${operation}: this directory was opened with a read-only cap (URI:DIR2-RO:/URI:DIR2-MDMF-RO:); use its write cap (URI:DIR2:/URI:DIR2-MDMF:) to change it`)
    this.name = 'ReadOnlyDirectoryError'
  }
}

export class NoSuchChildError extends DirnodeError {
  readonly childName: string
  constructor (name: string) {
    super('ERR_NO_SUCH_CHILD', `no child named '${name}' in this directory`)
    this.name = 'NoSuchChildError'
    this.childName = name
  }
}

export class ExistingChildError extends DirnodeError {
  readonly childName: string
  constructor (name: string, detail = '') {
    super('ERR_EXISTING_CHILD', `a child named '${name}' already exists${detail}; allow replacing (replace=true) to overwrite it`)
    this.name = 'ExistingChildError'
    this.childName = name
  }
}

/** A child whose cap does not fit the directory: a mutable or write cap in an immutable directory, a write cap in a read-only slot. */
export class CapConstraintError extends DirnodeError {
  constructor (message: string) {
    super('ERR_CAP_CONSTRAINT', message)
    this.name = 'CapConstraintError'
  }
}

/** The directory's bytes are not Tahoe's dirnode format (bad netstrings, bad JSON, a write cap in an immutable directory). */
export class MalformedDirectoryError extends DirnodeError {
  constructor (message: string, options?: { cause?: unknown }) {
    super('ERR_MALFORMED_DIRECTORY', message, options)
    this.name = 'MalformedDirectoryError'
  }
}

/** A path goes through (or names, where a directory is needed) something that is not a directory. */
export class NotADirectoryError extends DirnodeError {
  readonly path: string
  constructor (path: string, what: string) {
    super('ERR_NOT_A_DIRECTORY', `'${path}' is ${what}, not a directory`)
    this.name = 'NotADirectoryError'
    this.path = path
  }
}

/** A path needs at least one name (the operation works on a child, not on the directory the cap names). */
export class EmptyPathError extends DirnodeError {
  constructor (operation: string) {
    super('ERR_EMPTY_PATH', `${operation} needs a path below the directory (e.g. 'docs/notes.txt'), not the directory itself`)
    this.name = 'EmptyPathError'
  }
}

/** Errors of the mutable-file client. Each carries a stable `code`. */
import { ClientError } from '../errors.js'

/**
 * Another writer changed the file between our servermap update and our
 * write (a test vector failed on some server). Nothing of ours is trusted
 * as the current version; re-read, re-apply the change, write again
 * (`modifyMutable` does this).
 */
export class UncoordinatedWriteError extends ClientError {
  readonly servers: string[]
  constructor (servers: string[], detail = '') {
    super('ERR_UNCOORDINATED_WRITE', `another writer changed this mutable file while we wrote it (${servers.length} server(s) held a version we did not expect)${detail}: read it again and re-apply the change`)
    this.name = 'UncoordinatedWriteError'
    this.servers = servers
  }
}

/** A server refused our write enabler: the slot there was written with another write cap, or migrated from another server. */
export class WriteEnablerRefusedError extends ClientError {
  readonly servers: string[]
  constructor (servers: string[], detail: string) {
    super('ERR_BAD_WRITE_ENABLER', `${servers.length} server(s) refused this write cap's write enabler (${detail}); the slot there belongs to another writer or was moved from another server`)
    this.name = 'WriteEnablerRefusedError'
    this.servers = servers
  }
}

/** Too few servers took the new version's shares. */
export class MutablePublishError extends ClientError {
  readonly happiness: number
  readonly happy: number
  constructor (happiness: number, happy: number, detail: string) {
    super('ERR_PUBLISH_UNHAPPY', `publishing a mutable file needs shares on ${happy} distinct servers but only ${happiness} took them: ${detail}`)
    this.name = 'MutablePublishError'
    this.happiness = happiness
    this.happy = happy
  }
}

/** No recoverable version of the mutable file was found. */
export class MutableNotFoundError extends ClientError {
  constructor (message: string) {
    super('ERR_NOT_FOUND', message)
    this.name = 'MutableNotFoundError'
  }
}

/** `modifyMutable` lost the race too many times in a row. */
export class ModifyRetriesExhaustedError extends ClientError {
  readonly attempts: number
  constructor (attempts: number, options?: { cause?: unknown }) {
    super('ERR_MODIFY_RETRIES', `gave up modifying the mutable file after ${attempts} attempts: another writer kept changing it`, options)
    this.name = 'ModifyRetriesExhaustedError'
    this.attempts = attempts
  }
}

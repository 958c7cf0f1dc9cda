import type { LocateExplain } from './locate.js'

/** Locating shares failed; `explain` says what was tried and what it cost. */
export class LocateError extends Error {
  readonly code: string
  readonly explain?: LocateExplain
  constructor (code: string, message: string, explain: LocateExplain | undefined) {
    super(message)
    this.name = 'LocateError'
    this.code = code
    this.explain = explain
  }
}

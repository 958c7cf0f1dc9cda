/** Errors raised by the club layer. Each carries a stable `code` callers can switch on. */
export class ClubError extends Error {
  readonly code: string
  constructor (code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ClubError'
    this.code = code
  }
}

function define (name: string, code: string): new (message: string, options?: { cause?: unknown }) => ClubError {
  const Cls = class extends ClubError {
    constructor (message: string, options?: { cause?: unknown }) {
      super(code, message, options)
      this.name = name
    }
  }
  Object.defineProperty(Cls, 'name', { value: name })
  return Cls
}

/** The string is not a club ID (an Ed25519 IPNS name, `k51…`). */
export const InvalidClubIdError = define('InvalidClubIdError', 'ERR_INVALID_CLUB_ID')
/** No valid roster for the club is in the DHT (and none is cached when a cache was acceptable). */
export const ClubNotFoundError = define('ClubNotFoundError', 'ERR_CLUB_NOT_FOUND')
/** The roster record is over the IPNS size limit (10 KiB). */
export const RosterTooLargeError = define('RosterTooLargeError', 'ERR_ROSTER_TOO_LARGE')
/** The record is not a parseable IPNS V2 record. */
export const InvalidRosterRecordError = define('InvalidRosterRecordError', 'ERR_INVALID_ROSTER_RECORD')
/** The record's signature does not verify with the club's key. */
export const RosterSignatureError = define('RosterSignatureError', 'ERR_ROSTER_BAD_SIGNATURE')
/** A public key embedded in the record is not the club's key. */
export const ClubKeyMismatchError = define('ClubKeyMismatchError', 'ERR_ROSTER_KEY_MISMATCH')
/** The record's Value names a different club than the one asked for. */
export const ClubNameMismatchError = define('ClubNameMismatchError', 'ERR_ROSTER_NAME_MISMATCH')
/** The record's validity (EOL) has passed. */
export const RosterExpiredError = define('RosterExpiredError', 'ERR_ROSTER_EXPIRED')
/** The roster data inside the record is missing or malformed. */
export const InvalidRosterError = define('InvalidRosterError', 'ERR_INVALID_ROSTER')
/** A roster with a lower sequence number than the one already cached (a replay or a rollback). */
export const StaleRosterError = define('StaleRosterError', 'ERR_ROSTER_STALE')
/** This node does not hold the club's key. */
export const NotClubOwnerError = define('NotClubOwnerError', 'ERR_NOT_CLUB_OWNER')
/** Removing a server that is not on the roster. */
export const ServerNotMemberError = define('ServerNotMemberError', 'ERR_SERVER_NOT_MEMBER')
/** Publishing the roster to the DHT failed (no peer accepted it). */
export const ClubPublishError = define('ClubPublishError', 'ERR_CLUB_PUBLISH_FAILED')
/** The club owner refused a join request. */
export const JoinRefusedError = define('JoinRefusedError', 'ERR_JOIN_REFUSED')
/** The join exchange with the owner's node failed (unreachable, malformed answer). */
export const JoinProtocolError = define('JoinProtocolError', 'ERR_JOIN_PROTOCOL')
/** No pending join request from that peer for that club. */
export const NoSuchJoinRequestError = define('NoSuchJoinRequestError', 'ERR_NO_SUCH_JOIN_REQUEST')
/** The invite string is malformed. */
export const InvalidInviteError = define('InvalidInviteError', 'ERR_INVALID_INVITE')
/** None of the invite's bootstrap addresses could be dialled. */
export const InviteBootstrapError = define('InviteBootstrapError', 'ERR_INVITE_BOOTSTRAP_UNREACHABLE')
/** A multiaddr that cannot be parsed, or that ends in a different peer's ID than the one it is listed for. */
export const InvalidAddressError = define('InvalidAddressError', 'ERR_INVALID_ADDRESS')
/** An open club already accepted as many servers as it takes per minute; ask again later. */
export const JoinRateLimitedError = define('JoinRateLimitedError', 'ERR_JOIN_RATE_LIMITED')
/** The club owner could not reach the joining server on any address it listed. */
export const JoinServerUnreachableError = define('JoinServerUnreachableError', 'ERR_JOIN_SERVER_UNREACHABLE')
/** `<dataDir>/clubs/joined.json` (the clubs this node belongs to) cannot be parsed. */
export const MembershipFileError = define('MembershipFileError', 'ERR_CLUB_MEMBERSHIPS_UNREADABLE')

/**
 * Storage clubs: an Ed25519 key, a roster published as an IPNS V2 record in
 * the DHT, membership requests and invites. Imports only src/dht of ours.
 */
export { ClubManager } from './manager.js'
export type { ClubManagerInit, ClubLibp2p, CreateClubOptions, PublishedRoster, JoinRequest, AskToJoinOptions, RosterOptions, ClubMembership, MembershipRole } from './manager.js'
export { clubIdFromPublicKey, publicKeyFromClubId, normalizeClubId, clubRoutingKey } from './club-id.js'
export { dialableAddrs, trailingPeerId, withPeerId, withoutPeerId } from './addresses.js'
export { signRoster, verifyRosterRecord, rosterIpnsCheck, clubPath } from './roster-record.js'
export type { SignedRoster, SignRosterOptions, VerifyRosterOptions } from './roster-record.js'
export { checkRoster } from './roster.js'
export type { Roster, RosterServer, ClubPolicy } from './roster.js'
export { encodeInvite, decodeInvite, isInvite } from './invite.js'
export type { ClubInvite } from './invite.js'
export type { JoinAnswer, JoinStatus, JoinRequestBody } from './join-protocol.js'
export { ClubKeyStore } from './key-store.js'
export { RosterCache } from './roster-cache.js'
export { ReadRosterCache } from './read-cache.js'
export type { ReadRosterCacheOptions } from './read-cache.js'
export { ClubMemberships } from './memberships.js'
export { JoinThrottle } from './join-guard.js'
export * from './errors.js'
export * from './constants.js'

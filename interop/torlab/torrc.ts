/**
 * The torrc lines of a private Tor network on 127.0.0.1. Every node shares
 * the testing options and the DirAuthority lines; authorities, relays and
 * clients add their own. No line ever names a real directory authority:
 * a tor given DirAuthority lines uses only those.
 */

/** An empty file (tor refuses /dev/null) given as --defaults-torrc, so /etc/tor adds nothing. */
export const EMPTY_TORRC = 'empty.torrc'

export interface AuthorityId {
  nick: string
  orPort: number
  dirPort: number
  /** v3 identity: the `fingerprint` line of authority_certificate */
  v3ident: string
  /** relay identity: `tor --list-fingerprint` */
  fingerprint: string
}

/**
 * Voting schedule. Tor's testing minimums: the initial interval may be as
 * short as 5 s, the regular one 10 s, and vote delay + distribution delay
 * must stay below half the interval. The first round after start is often
 * lost (votes not yet exchanged), so a short initial interval matters most;
 * the regular one keeps 4 s delays because a vote that arrives late under
 * load loses its round.
 */
export const VOTING = {
  initialInterval: 10,
  initialVoteDelay: 2,
  initialDistDelay: 2,
  interval: 20,
  voteDelay: 4,
  distDelay: 4
}

export function dirAuthorityLines (auths: AuthorityId[]): string[] {
  return auths.map(a =>
    `DirAuthority ${a.nick} orport=${a.orPort} no-v2 v3ident=${a.v3ident} 127.0.0.1:${a.dirPort} ${a.fingerprint}`)
}

/** The options every node of the network shares (authorities, relays, clients, onion services). */
export function commonLines (auths: AuthorityId[]): string[] {
  return [
    'TestingTorNetwork 1',
    'AssumeReachable 1',
    'PathsNeededToBuildCircuits 0.25',
    'TestingDirAuthVoteExit *',
    'TestingDirAuthVoteHSDir *',
    'TestingDirAuthVoteGuard *',
    'TestingMinExitFlagThreshold 0',
    'V3AuthNIntervalsValid 2',
    'DirAllowPrivateAddresses 1',
    'ExtendAllowPrivateAddresses 1',
    'EnforceDistinctSubnets 0',
    'ClientUseIPv6 0',
    // full addresses in the logs: they are all loopback, and a failed run is read from them
    'SafeLogging 0',
    'LogTimeGranularity 1',
    ...dirAuthorityLines(auths)
  ]
}

/** Lines that tie a node to its folder and loopback. */
export function nodeLines (nick: string, dataDir: string): string[] {
  return [
    // tor's nicknames: 1–19 letters and digits
    `Nickname ${nick.replace(/[^a-zA-Z0-9]/g, '').slice(0, 19)}`,
    'ContactInfo lafs-club torlab (private test network on 127.0.0.1)',
    `DataDirectory ${dataDir}`,
    `Log notice file ${dataDir}/notice.log`,
    // TORLAB_DEBUG=1: every tor also writes info.log (large; for chasing circuit and stream failures)
    ...(process.env.TORLAB_DEBUG === undefined ? [] : [`Log info file ${dataDir}/info.log`]),
    'RunAsDaemon 0'
  ]
}

export function authorityLines (orPort: number, dirPort: number): string[] {
  return [
    'AuthoritativeDirectory 1',
    'V3AuthoritativeDirectory 1',
    'Address 127.0.0.1',
    `ORPort 127.0.0.1:${orPort}`,
    `DirPort 127.0.0.1:${dirPort}`,
    'SocksPort 0',
    // relays publish to us as soon as they start: no need to wait for a vote to accept them
    'TestingV3AuthVotingStartOffset 0',
    `TestingV3AuthInitialVotingInterval ${VOTING.initialInterval}`,
    `TestingV3AuthInitialVoteDelay ${VOTING.initialVoteDelay}`,
    `TestingV3AuthInitialDistDelay ${VOTING.initialDistDelay}`,
    `V3AuthVotingInterval ${VOTING.interval}`,
    `V3AuthVoteDelay ${VOTING.voteDelay}`,
    `V3AuthDistDelay ${VOTING.distDelay}`
  ]
}

export function relayLines (orPort: number, dirPort: number): string[] {
  return [
    'Address 127.0.0.1',
    `ORPort 127.0.0.1:${orPort}`,
    `DirPort 127.0.0.1:${dirPort}`,
    'ExitRelay 1',
    // The lab's TCP servers are on loopback, so exits must reach private addresses. Clients
    // judge exits by the consensus's policy summaries, which leave private addresses out: an
    // exit that accepts only 127.0.0.0/8 is summarised as "reject 1-65535" and clients refuse
    // every stream to it ("No Tor server allows exit to 127.0.0.1:…"). So exits accept every
    // address, and the lab's firewall (hermetic.ts) drops whatever the tor user sends
    // beyond loopback.
    'ExitPolicyRejectPrivate 0',
    'ExitPolicyRejectLocalInterfaces 0',
    'ExitPolicy accept *:*',
    'SocksPort 0'
  ]
}

/** The text people read for each answer of the node (scripts get the same values as JSON with --json). */
import { formatBytes } from './output.js'
import type { CheckReport, ClubJoinResult, ClubLeaveResult, ClubStatus, DownloadExplain, HolderRanking, JoinRequestStatus, ServerAnswer, StatusJson, Terms, Usage } from '../node/index.js'

export function explainLines (explain: DownloadExplain | undefined): string[] {
  if (explain === undefined) return ['locate: nothing was located (the download did not start)']
  if (explain.way === 'literal') return ['locate: literal cap, the file is inside the cap']
  if (explain.way === 'servers') {
    return [`locate: none needed; ${explain.servers.length} of the servers named hold shares (${explain.servers.map(s => `${s.peerId.slice(-8)}: ${s.shares.join(',')}`).join('; ')})`, ...rankingLines(explain.ranking)]
  }
  return [...locateLines(explain), ...rankingLines(explain.ranking)]
}

/** Why the holders are read in the order they are: only what differs from "no problems seen" is worth a line each. */
function rankingLines (ranking: HolderRanking[] | undefined): string[] {
  if (ranking === undefined || ranking.length === 0) return []
  const notable = ranking.filter(r => r.tier > 0)
  if (notable.length === 0) return [`reputation: all ${ranking.length} holders in good standing`]
  return [`reputation: ${ranking.length - notable.length} of ${ranking.length} holders preferred`,
    ...notable.map(r => `  server ${r.peerId} ${r.note}`)]
}

/** What `put --explain` adds: the servers the upload skipped. */
export function putExplainLines (skipped: Array<{ peerId: string, reason: string }> | undefined): string[] {
  if (skipped === undefined || skipped.length === 0) return ['reputation: no server skipped']
  return skipped.map(s => `server ${s.peerId} skipped: ${s.reason}`)
}

function locateLines (explain: Extract<DownloadExplain, { way: 'located' }>): string[] {
  const e = explain.explain
  const lines = [`locate: chose ${e.chosen}${e.fellBack ? ' (fell back to the other way)' : ''}, found ${explain.servers.length} servers`]
  for (const [way, est] of Object.entries(e.estimates)) {
    const parts = [`${est.rpcs} RPCs`, `${est.roundTrips} round trips`]
    if (est.networkSize !== undefined) parts.push(`network ~${est.networkSize} peers`)
    if (est.rosterCached !== undefined) parts.push(`roster ${est.rosterCached ? 'cached' : 'not cached'}`)
    lines.push(`  estimate ${way}: ${parts.join(', ')}${est.fitsBudget ? '' : ' (over budget)'}`)
  }
  for (const run of e.runs) {
    lines.push(`  ran ${run.way}: ${run.rpcs} RPCs, ${run.roundTrips} round trips, ${run.ms} ms, ${run.servers} servers, ${run.distinctShares} distinct shares${run.error !== undefined ? ` — ${run.error}` : ''}`)
    if (run.namedClubs != null) lines.push(`    and asked the club(s) its holders named: ${run.namedClubs.join(', ')}`)
    if (run.otherClubs != null) lines.push(`    and this node's other club(s): ${run.otherClubs.join(', ')}`)
  }
  lines.push(`  actual: ${e.actual.rpcs} RPCs, ${e.actual.roundTrips} round trips, ${e.actual.ms} ms`)
  if (e.rosterFetch === 'background') lines.push('  the hinted club\'s roster is being fetched in the background (not joined): the next locate in that club is one have-share round')
  return lines
}

/** How others reach this node, in one line. */
export function reachabilityText (r: StatusJson['reachability'] | undefined): string {
  if (r === undefined) return 'unknown'
  switch (r.kind) {
    case 'public': return `public: ${r.publicAddrs.join(' ')}`
    case 'upnp': return `UPnP-mapped: ${r.publicAddrs.join(' ')}`
    case 'relayed': return `behind NAT, via relay${r.relays.length > 1 ? 's' : ''} ${r.relays.join(', ')}`
    case 'unknown': return 'unknown (no verified public address and no relay reservation yet)'
  }
}

/** A VPS may hold hundreds of connections; the terminal shows the first ones. */
const MAX_PEER_LINES = 20

function peerCounts (peers: StatusJson['peers']): string {
  const n = (kind: string): number => peers.filter(p => p.connection === kind).length
  return `${n('direct')} direct, ${n('hole-punched')} hole-punched, ${n('relayed')} relayed`
}

/** The node's tor in one line: how it runs, its bootstrap progress and onion addresses. */
export function torLine (t: NonNullable<StatusJson['tor']>): string {
  const b = t.bootstrap
  const state = b.progress >= 100 ? 'bootstrapped' : `bootstrapping ${b.progress}% (${b.summary}${b.warning !== undefined ? `: ${b.warning}` : ''})`
  return `tor       ${t.mode}${t.hideIp ? ', Tor only (hide-ip)' : ''}, ${state}${t.onionAddrs.length > 0 ? `, onion ${t.onionAddrs.join(' ')}` : ''}`
}

export function statusLines (s: StatusJson): string[] {
  const lines = [
    `node      ${s.peerId}`,
    `gateway   ${s.gateway.url}  (status page: ${s.gateway.url}/status)`,
    `upload    ${s.uploadReady ? 'READY' : 'NOT READY'}: ${s.storageServersConnected} storage servers connected, an upload needs ${s.happy}`,
    `reachable ${reachabilityText(s.reachability)}`,
    ...(s.tor !== null && s.tor !== undefined ? [torLine(s.tor)] : []),
    ...(s.relay?.serving === true ? [`relay     serving: ${s.relay.reservations} reservations (${s.relay.unlimited} unlimited), ${formatBytes(s.relay.relayedBytes)} relayed`] : []),
    `peers     ${s.peers.length} connected (${peerCounts(s.peers)})`,
    ...s.peers.slice(0, MAX_PEER_LINES).map(p => `  ${p.peerId} ${p.connection}${p.via !== undefined ? ` via ${p.via}` : ''}, ${p.direction}${p.storageServer ? ', storage' : ''}`)
  ]
  if (s.peers.length > MAX_PEER_LINES) lines.push(`  … ${s.peers.length - MAX_PEER_LINES} more (the status page lists them all)`)
  if (s.bootstrap?.alone === true && s.bootstrap.configured > 0) lines.push('bootstrap none of the bootstrap peers answered: running alone')
  if (s.storage === null) lines.push('storage   off')
  else lines.push(`storage   ${s.storage.shares} shares, ${formatBytes(s.storage.bytes)} of ${formatBytes(s.storage.capacity)}, ${s.accountsTotal} accounts, ${s.corruptionTotal} corruption advisories`)
  if (s.helper != null) {
    lines.push(`helper    ${s.helper.placed} placed, ${s.helper.alreadyStored} found stored, spool ${formatBytes(s.helper.spoolBytes)} of ${formatBytes(s.helper.spoolLimit)} ` +
      `(${s.helper.partials} partial, ${s.helper.active} sending), ${s.helper.clients.length} client(s)`)
  }
  if (s.reprovide !== null) lines.push(`reprovide backlog ${s.reprovide.backlog}${s.reprovide.failed > 0 ? `, ${s.reprovide.failed} failed` : ''}`)
  lines.push(`clubs     ${s.clubs.length}${s.defaultClub !== null ? `, default ${s.defaultClub}` : ', no default club'}`)
  for (const c of s.clubs) lines.push(`  ${c.clubId} "${c.name}" sequence ${c.sequence}, ${c.servers.length} servers${c.owned ? ' (owner)' : ''}`)
  for (const w of s.clubsExpiringSoon ?? []) lines.push(`  WARNING club ${w.clubId} "${w.name}": its roster ${w.expiresAt <= Date.now() ? 'expired' : 'stops being valid'} ${new Date(w.expiresAt).toISOString()}; run "lafs-club club publish ${w.clubId}" while the node has DHT peers`)
  if ((s.clubRequests ?? []).length > 0) lines.push(`  ${s.clubRequests.length} server(s) ask to join; see "lafs-club club requests"`)
  lines.push(`transfers ${s.transfers.length} in progress; ${s.totals.uploadsSucceeded} uploads and ${s.totals.downloadsSucceeded} downloads done since start`)
  for (const t of s.transfers) lines.push(`  #${t.id} ${t.direction} ${t.phase} ${formatBytes(t.bytesDone)}${t.bytesTotal !== undefined ? ` / ${formatBytes(t.bytesTotal)}` : ''}`)
  lines.push(`leases    ${s.leasesHeld} uploads kept alive`)
  for (const l of s.leasesExpiringSoon) lines.push(`  WARNING lease of ${l.storageIndex} expires ${new Date(l.expiresAt).toISOString()}${l.lastError !== undefined ? ` (renewal failed: ${l.lastError})` : ''}`)
  if (s.corruptionTotal > 5) lines.push(`  the 5 newest of ${s.corruptionTotal} corruption advisories:`)
  for (const c of s.corruption.slice(0, 5)) lines.push(`  corrupt share ${c.storageIndex} #${c.shareNumber} reported by ${c.reportedBy}: ${c.reason}`)
  const probation = (s.reputation ?? []).flatMap(r => r.probation.map(p => ({ peerId: r.peerId, ...p })))
  lines.push(`servers   ${s.reputationTotal ?? 0} storage servers remembered${probation.length > 0 ? `, ${probation.length} on probation` : ''}`)
  for (const p of probation) lines.push(`  ${p.peerId}${p.club !== '' ? ` in club ${p.club}` : ''}: ${p.text}`)
  return lines
}

export function clubLines (c: ClubStatus): string[] {
  return [
    `club      ${c.clubId}`,
    `name      ${c.name}${c.description !== '' ? ` — ${c.description}` : ''}`,
    `policy    ${c.policy}${c.local ? ', local' : ''}${c.owned ? ' (you own it)' : ''}${c.isDefault ? ', the default club' : ''}`,
    `sequence  ${c.sequence}, valid until ${new Date(c.expiresAt).toISOString()}`,
    `servers   ${c.servers.length}`,
    ...c.servers.map(s => `  ${s.peerId} ${s.multiaddrs.join(' ')}`),
    ...(c.helpers != null ? [`helpers   ${c.helpers.length}`, ...c.helpers.map(h => `  ${h.peerId} ${h.multiaddrs.join(' ')}`)] : [])
  ]
}

export function joinLines (c: ClubJoinResult): string[] {
  const lines = clubLines(c)
  if (c.server?.status === 'accepted') lines.push(`joined as a server: accepted, listed in roster sequence ${c.server.sequence ?? c.sequence}`)
  else if (c.server?.status === 'pending') lines.push('joined as a user; as a server: pending, the owner decides (this invitation-only club lists you once approved)')
  return lines
}

export function leaveLines (r: ClubLeaveResult): string[] {
  const lines = [`left club ${r.clubId}${r.wasDefault ? ' (it was the default club; none is set now)' : ''}`]
  if (r.wasServer) lines.push(r.removed ? 'the owner took this server off the roster' : `the owner did not confirm taking this server off the roster: ${r.detail ?? 'no answer'}`)
  return lines
}

export function requestLines (requests: JoinRequestStatus[]): string | string[] {
  if (requests.length === 0) return 'no servers are waiting to join'
  return requests.map(r => `${r.clubId}  ${r.peerId}  ${new Date(r.at).toISOString()}  ${r.multiaddrs.join(' ')}${r.note !== undefined ? `  "${r.note}"` : ''}`)
}

export function clubListLines (clubs: ClubStatus[]): string | string[] {
  if (clubs.length === 0) return 'no clubs yet (create one with "lafs-club club create NAME" or join with "lafs-club club join ID")'
  return clubs.map(c => `${c.clubId}  ${c.name}  sequence ${c.sequence}  ${c.servers.length} servers${c.owned ? '  (owner)' : ''}${c.isDefault ? '  (default)' : ''}`)
}

export function serverAnswerLines<T> (answers: Array<ServerAnswer<T>>, fmt: (r: T) => string): string[] {
  return answers.map(a => a.result === undefined ? `${a.server}: ERROR ${a.error?.message ?? 'no answer'}` : `${a.server}: ${fmt(a.result)}`)
}

export function usageLine (u: Usage): string {
  return `${formatBytes(u.bytes)} in ${u.shares} shares, ${u.leases} leases, quota ${formatBytes(u.quota)}${u.reserved > 0 ? `, ${formatBytes(u.reserved)} reserved` : ''}`
}

export function termsLine (t: Terms): string {
  return [`free quota ${formatBytes(t.freeQuota)}`, ...t.methods.map(m => `\n    ${m.name}${m.url !== undefined && m.url !== '' ? ` <${m.url}>` : ''}: ${m.explanation}`)].join('')
}

export function checkLines (v: CheckReport): string[] {
  return [
    `${v.healthy ? 'healthy' : v.recoverable ? 'NOT HEALTHY (recoverable)' : 'NOT RECOVERABLE'}: ${v.sharesFound} of ${v.n} shares on ${v.serversWithShares} servers (k=${v.k}, happiness ${v.happiness})`,
    ...v.corrupt.map(c => `  corrupt share ${c.shnum} on ${c.peerId} (${c.check})`),
    ...v.unreachable.map(p => `  unreachable ${p}`),
    ...(v.repaired !== undefined ? [`repaired: ${v.repaired.sharesUploaded} shares uploaded, now ${v.repaired.sharesFoundAfter} shares, happiness ${v.repaired.happinessAfter}`] : [])
  ]
}

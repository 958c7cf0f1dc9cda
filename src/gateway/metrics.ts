/**
 * /metrics in the Prometheus text exposition format (version 0.0.4). Every
 * metric is prefixed `lafs_club_`; counters end in `_total`.
 */
import type { NodeSnapshot } from '../node/index.js'
import type { TransferTotals } from './transfers.js'

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

interface Metric {
  name: string
  help: string
  type: 'gauge' | 'counter'
  samples: Array<{ labels?: Record<string, string>, value: number }>
}

function escapeLabel (v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function render (metrics: Metric[]): string {
  const lines: string[] = []
  for (const m of metrics) {
    lines.push(`# HELP lafs_club_${m.name} ${m.help}`)
    lines.push(`# TYPE lafs_club_${m.name} ${m.type}`)
    for (const s of m.samples) {
      const labels = s.labels === undefined ? '' : `{${Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
      lines.push(`lafs_club_${m.name}${labels} ${Number.isFinite(s.value) ? s.value : 'NaN'}`)
    }
  }
  return lines.join('\n') + '\n'
}

const gauge = (name: string, help: string, value: number): Metric => ({ name, help, type: 'gauge', samples: [{ value }] })
const counter = (name: string, help: string, samples: Metric['samples']): Metric => ({ name, help, type: 'counter', samples })

export function renderMetrics (snap: NodeSnapshot, totals: TransferTotals, active: { uploads: number, downloads: number }): string {
  const relayed = snap.peers.filter(p => p.connection === 'relayed').length
  const metrics: Metric[] = [
    { name: 'peers', help: 'Connected peers, by connection kind.', type: 'gauge', samples: [{ labels: { connection: 'direct' }, value: snap.peers.length - relayed }, { labels: { connection: 'relayed' }, value: relayed }] },
    counter('connections_opened_total', 'Connections opened since the node started, by direction.', [
      { labels: { direction: 'inbound' }, value: snap.connectionsOpened.inbound },
      { labels: { direction: 'outbound' }, value: snap.connectionsOpened.outbound }
    ]),
    counter('inbound_streams_total', 'Streams peers opened to this node since it started, by protocol.',
      Object.entries(snap.inbound.streams).map(([protocol, value]) => ({ labels: { protocol }, value }))),
    counter('dht_inbound_requests_total', 'kad-dht requests this node answered since it started, by message type.',
      Object.entries(snap.inbound.kad).map(([type, value]) => ({ labels: { type }, value }))),
    gauge('storage_servers_connected', 'Connected peers that serve storage.', snap.storageServersConnected),
    gauge('upload_ready', '1 when at least client.happy storage servers are connected.', snap.uploadReady ? 1 : 0),
    gauge('storage_enabled', '1 when this node runs a storage server.', snap.storage === null ? 0 : 1),
    gauge('storage_shares', 'Shares stored by this node.', snap.storage?.shares ?? 0),
    gauge('storage_bytes', 'Bytes of shares stored by this node.', snap.storage?.bytes ?? 0),
    gauge('storage_capacity_bytes', 'Bytes this node offers for shares (NaN when bounded only by free disk space).', snap.storage === null ? 0 : (snap.storage.capacity ?? NaN)),
    gauge('storage_accounts', 'Accounts this storage server knows (each client peer ID that allocated, redeemed an invitation or was granted).', snap.accountsTotal),
    gauge('storage_incoming', 'Uploads into this storage server in progress.', snap.storage?.incoming ?? 0),
    gauge('reprovide_backlog', 'Provider announcements waiting or running.', snap.reprovide?.backlog ?? 0),
    counter('reprovide_announced_total', 'Provider announcements made.', [{ value: snap.reprovide?.announced ?? 0 }]),
    counter('reprovide_failed_total', 'Provider announcements that failed.', [{ value: snap.reprovide?.failed ?? 0 }]),
    gauge('corruption_advisories', 'Corrupt-share advisories this storage server keeps (all of them, not only the newest the status page lists).', snap.corruptionTotal),
    gauge('leases_held', 'Uploads whose leases this node keeps.', snap.leasesHeld),
    gauge('leases_expiring_soon', 'Uploads whose leases expire within the renewal margin.', snap.leasesExpiringSoon.length),
    gauge('clubs', 'Clubs this node knows (owned or joined).', snap.clubs.length),
    gauge('servers_remembered', 'Storage servers whose reputation this node keeps.', snap.reputationTotal ?? 0),
    gauge('servers_on_probation', 'Storage servers on probation in some club (a wrong have-share answer, a corrupt block or a lost share, not yet cleared by verify checks).', snap.reputationOnProbation ?? 0),
    gauge('repair_files', 'Files the self-repair passes look after (uploaded here or kept).', snap.repair.maintained),
    gauge('repair_kept_files', 'Files adopted with keep.', snap.repair.kept),
    counter('repair_passes_total', 'Self-repair passes run.', [{ value: snap.repair.passes }]),
    counter('repair_checks_total', 'Health checks of files by self-repair, by kind (a verify downloads every share).', [
      { labels: { kind: 'have' }, value: snap.repair.checks - snap.repair.verifies },
      { labels: { kind: 'verify' }, value: snap.repair.verifies }
    ]),
    counter('repair_renewals_total', 'Lease renewals by self-repair.', [{ value: snap.repair.renewals }]),
    counter('repairs_total', 'Files repaired by self-repair.', [{ value: snap.repair.repairs }]),
    counter('repair_shares_placed_total', 'Shares self-repair uploaded.', [{ value: snap.repair.sharesPlaced }]),
    counter('repair_failures_total', 'Self-repair steps that failed, by stage.', [
      { labels: { stage: 'check' }, value: snap.repair.checkFailures },
      { labels: { stage: 'renew' }, value: snap.repair.renewFailures },
      { labels: { stage: 'repair' }, value: snap.repair.repairFailures }
    ]),
    { name: 'transfers_active', help: 'Gateway transfers in progress.', type: 'gauge', samples: [{ labels: { direction: 'upload' }, value: active.uploads }, { labels: { direction: 'download' }, value: active.downloads }] },
    counter('uploads_total', 'Gateway uploads, by outcome.', [
      { labels: { outcome: 'started' }, value: totals.uploadsStarted },
      { labels: { outcome: 'succeeded' }, value: totals.uploadsSucceeded },
      { labels: { outcome: 'failed' }, value: totals.uploadsFailed }
    ]),
    counter('downloads_total', 'Gateway downloads, by outcome.', [
      { labels: { outcome: 'started' }, value: totals.downloadsStarted },
      { labels: { outcome: 'succeeded' }, value: totals.downloadsSucceeded },
      { labels: { outcome: 'failed' }, value: totals.downloadsFailed }
    ]),
    counter('upload_bytes_total', 'Plaintext bytes received by gateway uploads.', [{ value: totals.uploadBytes }]),
    counter('download_bytes_total', 'Plaintext bytes sent by gateway downloads.', [{ value: totals.downloadBytes }])
  ]
  // only on a node with Tor (config "tor")
  if (snap.tor !== null && snap.tor !== undefined) metrics.push(gauge('tor_bootstrap_progress', 'tor\'s bootstrap progress in percent (100: it can build circuits).', snap.tor.bootstrap.progress))
  // only on a node that offers an upload helper (config helper.enabled)
  const h = snap.helper
  if (h != null) {
    metrics.push(
      counter('helper_uploads_total', 'Uploads this helper finished since the node started, by outcome.', [
        { labels: { outcome: 'placed' }, value: h.placed },
        { labels: { outcome: 'already_stored' }, value: h.alreadyStored }
      ]),
      gauge('helper_spool_bytes', 'Crypttext bytes the helper\'s spool holds, or reserves for uploads being sent.', h.spoolBytes),
      gauge('helper_spool_limit_bytes', 'The spool\'s limit (config helper.spoolBytes).', h.spoolLimit),
      { name: 'helper_partial_uploads', help: 'Uploads in the spool, by whether a client is sending one now.', type: 'gauge', samples: [{ labels: { state: 'sending' }, value: h.active }, { labels: { state: 'idle' }, value: h.partials - h.active }] }
    )
  }
  return render(metrics)
}

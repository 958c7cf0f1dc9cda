/**
 * The live status page: static HTML whose script polls /status?t=json every
 * second and redraws. Its magic-folders section follows the server-sent
 * events of /api/magic-folders/events instead (the EventSource sends the
 * page's HttpOnly token cookie; same origin, so the CSP's default-src 'self'
 * lets it connect). Everything from the node (club names come from other
 * people's rosters, file and participant names from other people's folders)
 * goes into the page as text, never as HTML.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lafs-club node</title>
<style>
  :root { --fg: #1d232a; --muted: #5f6b77; --line: #dde3e9; --bg: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --accent: #0969da; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { background: #24292f; color: #fff; padding: 14px 24px; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  header .id { font-family: ui-monospace, monospace; font-size: 12px; color: #c9d1d9; word-break: break-all; }
  header .live { margin-left: auto; font-size: 12px; color: #8b949e; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 16px; padding: 16px 24px 32px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  .mono { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
  .empty { color: var(--muted); font-style: italic; }
  .badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
  .yes { background: #dafbe1; color: var(--ok); }
  .no { background: #ffebe9; color: var(--bad); }
  .warn { background: #fff8c5; color: var(--warn); }
  .relayed { background: #fff8c5; color: var(--warn); }
  .direct, .hole-punched { background: #ddf4ff; color: var(--accent); }
  .ready { font-size: 20px; font-weight: 700; display: flex; align-items: center; gap: 10px; }
  .kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 13px; }
  .kv dt { color: var(--muted); }
  .kv dd { margin: 0; font-variant-numeric: tabular-nums; }
  progress { width: 100%; height: 10px; }
  .bar { position: relative; height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; min-width: 120px; }
  .bar > span { position: absolute; inset: 0 auto 0 0; background: var(--accent); transition: width .3s; }
  .error { color: var(--bad); }
  .mf { border-top: 1px solid var(--line); padding: 8px 0; }
  .mf:first-child { border-top: 0; }
  .mf h3 { font-size: 15px; margin: 0 0 4px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
  .mf h4 { font-size: 12px; color: var(--muted); margin: 8px 0 2px; font-weight: 600; }
  tr.done td { color: var(--ok); }
  tr.failed td { color: var(--bad); }
</style>
</head>
<body>
<header>
  <h1>lafs-club node</h1>
  <span class="id" id="peer-id">…</span>
  <span class="live" id="live">connecting…</span>
</header>
<main>
  <section>
    <h2>Upload readiness</h2>
    <div class="ready"><span id="upload-ready" class="badge">…</span><span id="ready-text"></span></div>
    <dl class="kv" id="overview"></dl>
  </section>
  <section>
    <h2>Storage</h2>
    <dl class="kv" id="storage"></dl>
  </section>
  <section class="wide">
    <h2>Transfers in progress</h2>
    <div id="transfers"></div>
  </section>
  <section class="wide">
    <h2>Magic folders <span class="live" id="mf-live"></span></h2>
    <div id="magic-folders"><p class="empty">connecting…</p></div>
  </section>
  <section class="wide">
    <h2>Peers</h2>
    <div id="peers"></div>
  </section>
  <section>
    <h2>Clubs</h2>
    <div id="club-warnings"></div>
    <div id="clubs"></div>
    <h3>Servers asking to join</h3>
    <div id="club-requests"></div>
  </section>
  <section>
    <h2>Accounts on this server</h2>
    <div id="accounts"></div>
  </section>
  <section>
    <h2>Leases expiring soon</h2>
    <div id="leases"></div>
  </section>
  <section>
    <h2>Self-repair</h2>
    <div id="repair"></div>
    <h3>Recent repairs</h3>
    <div id="repairs"></div>
  </section>
  <section>
    <h2>Recent corrupt-share advisories</h2>
    <div id="corruption"></div>
  </section>
  <section class="wide">
    <h2>Storage servers as this node saw them <span class="live" id="reputation-total"></span></h2>
    <div id="reputation"></div>
  </section>
</main>
<script>
'use strict'
const $ = id => document.getElementById(id)
function el (tag, attrs, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v
    else if (k === 'style') e.style.cssText = v
    else e.setAttribute(k, v)
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return e
}
function bytes (n) {
  if (n === null || n === undefined) return 'unlimited'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i]
}
function ago (ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
  return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago'
}
function until (ms) {
  const s = Math.round((ms - Date.now()) / 1000)
  if (s <= 0) return 'expired'
  return s < 3600 ? 'in ' + Math.round(s / 60) + ' min' : s < 86400 ? 'in ' + Math.round(s / 3600) + ' h' : 'in ' + Math.round(s / 86400) + ' days'
}
function short (s, n) { return s.length > n ? s.slice(0, n) + '…' : s }
function table (headers, rows, empty) {
  if (rows.length === 0) return el('p', { class: 'empty' }, empty)
  return el('table', {},
    el('thead', {}, el('tr', {}, ...headers.map(h => el('th', { class: h.num ? 'num' : '' }, h.label)))),
    el('tbody', {}, ...rows.map(r => el('tr', r.attrs || {}, ...r.cells.map((c, i) => el('td', { class: headers[i].num ? 'num' : (headers[i].mono ? 'mono' : '') }, c))))))
}
function kv (target, pairs) {
  target.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))
}
function put (id, node) { $(id).replaceChildren(node) }
function rate (bps) {
  if (bps === null || bps === undefined) return '–'
  return bytes(bps) + '/s'
}
function standing (r) {
  if (r.probation.length === 0) return el('span', { class: 'badge yes' }, 'good')
  return el('span', {}, ...r.probation.map(p => el('span', { class: 'badge no', title: p.text }, (p.club === '' ? 'no club' : short(p.club, 12)) + ': ' + p.text)))
}

function reachable (r) {
  if (!r) return 'unknown'
  if (r.kind === 'public') return 'public: ' + r.publicAddrs.join(' ')
  if (r.kind === 'upnp') return 'UPnP-mapped: ' + r.publicAddrs.join(' ')
  if (r.kind === 'relayed') return 'behind NAT, via relay ' + r.relays.join(', ')
  return 'unknown (no verified public address or relay yet)'
}

function render (s) {
  $('peer-id').textContent = s.peerId
  const ready = $('upload-ready')
  ready.textContent = s.uploadReady ? 'YES' : 'NO'
  ready.className = 'badge ' + (s.uploadReady ? 'yes' : 'no')
  $('ready-text').textContent = s.storageServersConnected + ' storage servers connected; an upload needs ' + s.happy
  kv($('overview'), [
    ['reachable', reachable(s.reachability)],
    ['relay', !s.relay ? 'off' : !s.relay.serving ? 'waiting for a public address' : s.relay.reservations + ' reservations (' + s.relay.unlimited + ' unlimited), ' + bytes(s.relay.relayedBytes) + ' relayed'],
    ['peers', s.peers.length + ' (' + ['direct', 'hole-punched', 'relayed'].map(k => s.peers.filter(p => p.connection === k).length + ' ' + k).join(', ') + ')'],
    ['bootstrap', s.bootstrap === null ? 'trying…' : s.bootstrap.configured === 0 ? 'none configured (this node is a bootstrap peer)' : (s.bootstrap.alone ? 'alone (no bootstrap peer answered)' : s.bootstrap.connected + ' of ' + s.bootstrap.configured + ' connected')],
    ['uploads', s.totals.uploadsSucceeded + ' done, ' + s.totals.uploadsFailed + ' failed, ' + bytes(s.totals.uploadBytes)],
    ['downloads', s.totals.downloadsSucceeded + ' done, ' + s.totals.downloadsFailed + ' failed, ' + bytes(s.totals.downloadBytes)],
    ['leases kept', s.leasesHeld],
    ['gateway', s.gateway.url]
  ])
  if (s.storage === null) {
    kv($('storage'), [['storage server', 'off']])
  } else {
    const used = s.storage.capacity ? ' (' + (100 * s.storage.bytes / s.storage.capacity).toFixed(1) + '% of ' + bytes(s.storage.capacity) + ')' : ''
    kv($('storage'), [
      ['shares stored', s.storage.shares],
      ['bytes stored', bytes(s.storage.bytes) + used],
      ['capacity', bytes(s.storage.capacity)],
      ['accounts', s.storage.accounts],
      ['uploads arriving', s.storage.incoming],
      ['reprovide backlog', s.reprovide ? s.reprovide.backlog + ' (' + s.reprovide.announced + ' announced, ' + s.reprovide.failed + ' failed)' : '–']
    ])
  }
  put('transfers', table(
    [{ label: 'id', num: true }, { label: 'direction' }, { label: 'phase' }, { label: 'cap', mono: true }, { label: 'progress' }, { label: 'bytes', num: true }, { label: 'started' }],
    s.transfers.map(t => {
      const pct = t.bytesTotal ? Math.min(100, 100 * t.bytesDone / t.bytesTotal) : 0
      const bar = el('div', { class: 'bar', title: t.bytesTotal ? pct.toFixed(0) + '%' : 'size unknown' }, el('span', { style: 'width:' + pct.toFixed(1) + '%' }))
      return {
        attrs: { 'data-transfer-id': String(t.id), 'data-bytes-done': String(t.bytesDone) },
        cells: [t.id, t.direction, t.phase, t.cap ? short(t.cap, 48) : t.storageIndex ? 'SI ' + t.storageIndex : '(not known until done)', bar, bytes(t.bytesDone) + (t.bytesTotal ? ' / ' + bytes(t.bytesTotal) : ''), ago(t.startedAt)]
      }
    }),
    'no transfers right now'))
  put('peers', table(
    [{ label: 'peer', mono: true }, { label: 'connection' }, { label: 'storage' }, { label: 'address', mono: true }],
    s.peers.map(p => ({ cells: [p.peerId, el('span', { class: 'badge ' + p.connection, title: p.via ? 'relay ' + p.via : '' }, p.connection + (p.via ? ' via ' + short(p.via, 16) : '') + ', ' + p.direction), p.storageServer ? 'yes' : 'no', p.addresses.join(' ')] })),
    'no peers connected'))
  put('clubs', table([{ label: 'club' }, { label: 'sequence', num: true }, { label: 'servers', num: true }, { label: 'role' }],
    s.clubs.map(c => ({ cells: [el('span', { title: c.clubId }, c.name + ' ', el('span', { class: 'mono' }, short(c.clubId, 16))), c.sequence, c.servers.length, (c.owned ? 'owner' : 'member') + (c.isDefault ? ', default' : '')] })),
    'no clubs joined'))
  put('club-warnings', el('div', {}, ...(s.clubsExpiringSoon || []).map(w => el('p', { class: 'badge warn' },
    'club ' + w.name + ' (' + short(w.clubId, 16) + '): roster valid ' + until(w.expiresAt) + '; run lafs-club club publish ' + w.clubId))))
  put('club-requests', table([{ label: 'club', mono: true }, { label: 'server', mono: true }, { label: 'asked' }, { label: 'note' }],
    (s.clubRequests || []).map(r => ({ cells: [short(r.clubId, 16), short(r.peerId, 24), ago(r.at), r.note || ''] })),
    'none (approve with lafs-club club approve CLUB PEER)'))
  put('accounts', table([{ label: 'account', mono: true }, { label: 'used', num: true }, { label: 'shares', num: true }, { label: 'quota', num: true }],
    s.accounts.map(a => ({ cells: [short(a.account, 24), bytes(a.bytes), a.shares, bytes(a.quota)] })),
    s.storage === null ? 'no storage server' : 'no accounts yet'))
  put('leases', table([{ label: 'storage index', mono: true }, { label: 'expires' }, { label: 'last error' }],
    s.leasesExpiringSoon.map(l => ({ cells: [short(l.storageIndex, 20), el('span', { class: 'badge warn' }, l.expiresAt === 0 ? 'not leased yet' : until(l.expiresAt)), l.lastError || ''] })),
    'no lease needs attention'))
  const r = s.repair
  if (r) {
    kv($('repair'), [
      ['files looked after', r.maintained + ' (' + r.kept + ' kept for others)'],
      ['passes', r.passes + (r.lastPassAt ? ', last ' + ago(r.lastPassAt) : '') + (r.running ? ', one running' : '')],
      ['checks', r.checks + ' (' + r.verifies + ' verified, ' + r.checkFailures + ' failed)'],
      ['renewals', r.renewals + ' (' + r.renewFailures + ' failed)'],
      ['repairs', r.repairs + ' done, ' + r.repairFailures + ' failed, ' + r.sharesPlaced + ' shares placed']
    ])
    put('repairs', table([{ label: 'storage index', mono: true }, { label: 'shares', num: true }, { label: 'happiness', num: true }, { label: 'placed', num: true }, { label: 'when' }, { label: 'error' }],
      r.recent.map(e => ({ cells: [short(e.storageIndex, 20), e.sharesFoundBefore + ' → ' + (e.sharesFoundAfter ?? '?'), e.happinessBefore + ' → ' + (e.happinessAfter ?? '?'), e.sharesPlaced, ago(e.at), e.error || ''] })),
      'no repairs yet'))
  }
  put('corruption', table([{ label: 'storage index', mono: true }, { label: 'share', num: true }, { label: 'reason' }, { label: 'when' }],
    s.corruption.map(c => ({ cells: [short(c.storageIndex, 20), c.shareNumber, c.reason, ago(c.at)] })),
    'no advisories'))
  const reps = s.reputation || []
  $('reputation-total').textContent = reps.length < (s.reputationTotal || 0) ? reps.length + ' of ' + s.reputationTotal : ''
  put('reputation', table(
    [{ label: 'server', mono: true }, { label: 'standing' }, { label: 'uptime seen', num: true }, { label: 'read', num: true }, { label: 'write', num: true },
      { label: 'corrupt / wrong have', num: true }, { label: 'failures (timeouts)', num: true }, { label: 'shares kept / lost', num: true }, { label: 'last problem' }],
    reps.map(r => ({
      attrs: { 'data-peer': r.peerId },
      cells: [short(r.peerId, 24), standing(r),
        r.uptime === null ? '–' : (100 * r.uptime).toFixed(0) + '% of ' + (r.upSamples + r.downSamples) + (r.lastSeen ? ', seen ' + ago(r.lastSeen) : ''),
        rate(r.readBytesPerSec), rate(r.writeBytesPerSec), r.corruptBlocks + ' / ' + r.wrongHaves, r.failures + ' (' + r.timeouts + ')',
        r.sharesConfirmed + ' / ' + r.sharesLost + (r.meanLostAfterMs !== null ? ' (lost after ' + Math.round(r.meanLostAfterMs / 3600000) + ' h)' : ''),
        r.lastProblem ? r.lastProblem.kind + ' ' + ago(r.lastProblem.at) + ': ' + r.lastProblem.detail : '']
    })),
    'no storage server used yet'))
}

let failures = 0
async function poll () {
  try {
    const res = await fetch('/status?t=json', { cache: 'no-store' })
    if (!res.ok) throw new Error('HTTP ' + res.status)
    render(await res.json())
    failures = 0
    $('live').textContent = 'live · updated ' + new Date().toLocaleTimeString()
    $('live').className = 'live'
  } catch (err) {
    failures++
    $('live').textContent = 'cannot reach the node (' + err.message + ')'
    $('live').className = 'live error'
  } finally {
    setTimeout(poll, failures > 5 ? 5000 : 1000)
  }
}
poll()

// Magic folders: the last snapshot or status of each folder, and the files in flight, from the event stream.
const MF_EVENTS = ['folder-added', 'folder-removed', 'scan-started', 'scan-finished', 'poll-started', 'poll-finished',
  'upload-queued', 'upload-started', 'upload-progress', 'upload-done', 'upload-failed',
  'download-queued', 'download-started', 'download-progress', 'download-done', 'download-failed',
  'conflict', 'error', 'participant-changed', 'intervals-changed']
/** Finished transfers stay listed this long, so a person sees them complete. */
const MF_KEEP_DONE_MS = 60000
const mf = new Map()
function mfFolder (name) {
  let f = mf.get(name)
  if (!f) {
    f = { status: { name, participants: [], conflicts: [], errors: [] }, up: new Map(), down: new Map(), scanning: false, polling: false }
    mf.set(name, f)
  }
  return f
}
function mfStatus (s) {
  const f = mfFolder(s.name)
  f.status = s
}
function mfTransfer (map, key, d, patch) {
  const t = map.get(key) || { relpath: d.relpath, participant: d.participant, bytesDone: 0, bytesTotal: d.size || 0, state: 'queued' }
  Object.assign(t, patch)
  map.set(key, t)
}
function mfApply (kind, d) {
  if (kind === 'folder-removed') { mf.delete(d.folder); return }
  const f = mfFolder(d.folder)
  const s = f.status
  const dk = (d.participant || '') + '/' + d.relpath
  switch (kind) {
    case 'folder-added': s.localPath = d.localPath; break
    case 'scan-started': f.scanning = true; break
    case 'scan-finished': f.scanning = false; s.lastScan = Math.max(s.lastScan || 0, d.startedAt); s.nextScan = d.nextScan; break
    case 'poll-started': f.polling = true; break
    case 'poll-finished': f.polling = false; s.lastPoll = Math.max(s.lastPoll || 0, d.startedAt); s.nextPoll = d.nextPoll; break
    case 'intervals-changed': Object.assign(s, { pollSeconds: d.pollSeconds, scanSeconds: d.scanSeconds, nextPoll: d.nextPoll, nextScan: d.nextScan }); break
    case 'upload-queued': mfTransfer(f.up, d.relpath, d, { state: 'queued', kind: d.kind, bytesDone: 0, bytesTotal: d.size, at: d.at }); break
    case 'upload-started': mfTransfer(f.up, d.relpath, d, { state: 'uploading', kind: d.kind, bytesTotal: d.size, at: d.at }); break
    case 'upload-progress': mfTransfer(f.up, d.relpath, d, { state: 'uploading', bytesDone: d.bytesDone, bytesTotal: d.bytesTotal }); break
    case 'upload-done': mfTransfer(f.up, d.relpath, d, { state: 'done', kind: d.kind, bytesDone: d.size, bytesTotal: d.size, at: d.at }); break
    case 'upload-failed': mfTransfer(f.up, d.relpath, d, { state: 'failed', note: d.message, at: d.at }); break
    case 'download-queued': mfTransfer(f.down, dk, d, { state: 'queued', at: d.at }); break
    case 'download-started': mfTransfer(f.down, dk, d, { state: 'downloading', bytesTotal: d.size, at: d.at }); break
    case 'download-progress': mfTransfer(f.down, dk, d, { state: 'downloading', bytesDone: d.bytesDone, bytesTotal: d.bytesTotal }); break
    case 'download-done': {
      const t = f.down.get(dk)
      mfTransfer(f.down, dk, d, { state: 'done', note: d.outcome, bytesDone: t ? t.bytesTotal : 0, at: d.at })
      break
    }
    case 'download-failed': mfTransfer(f.down, dk, d, { state: 'failed', note: d.message, at: d.at }); break
    case 'conflict':
      if (!s.conflicts.some(c => c.file === d.file)) s.conflicts.push({ relpath: d.relpath, participant: d.participant, file: d.file, at: d.at })
      break
    case 'error':
      s.errors = s.errors.filter(e => e.relpath !== d.relpath).concat([{ relpath: d.relpath, code: d.code, message: d.message, at: d.at }])
      break
    case 'participant-changed': {
      const p = s.participants.find(p => p.name === d.participant)
      if (p) p.lastChange = Math.max(p.lastChange || 0, d.at)
      else s.participants.push({ name: d.participant, lastChange: d.at, me: false })
      break
    }
  }
}
function mfWhen (ms, future) {
  if (!ms) return 'not yet'
  const s = Math.round((ms - Date.now()) / 1000)
  if (future) return s <= 0 ? 'due now' : 'in ' + (s < 120 ? s + ' s' : Math.round(s / 60) + ' min')
  return ago(ms)
}
function mfTransfers (map, down) {
  const now = Date.now()
  for (const [k, t] of map) if ((t.state === 'done' || t.state === 'failed') && now - t.at > MF_KEEP_DONE_MS) map.delete(k)
  const rows = [...map.values()]
  return table(
    [{ label: 'file', mono: true }, ...(down ? [{ label: 'from' }] : []), { label: 'state' }, { label: 'progress' }, { label: 'bytes', num: true }],
    rows.map(t => {
      const pct = t.state === 'done' ? 100 : t.bytesTotal ? Math.min(100, 100 * t.bytesDone / t.bytesTotal) : 0
      const bar = el('div', { class: 'bar', title: pct.toFixed(0) + '%' }, el('span', { style: 'width:' + pct.toFixed(1) + '%' }))
      const state = t.state + (t.kind === 'deletion' ? ' (deletion)' : '') + (t.note ? ': ' + t.note : '')
      return {
        attrs: { class: t.state, 'data-relpath': t.relpath, 'data-state': t.state },
        cells: [t.relpath, ...(down ? [t.participant] : []), state, bar, bytes(t.bytesDone) + (t.bytesTotal ? ' / ' + bytes(t.bytesTotal) : '')]
      }
    }),
    down ? 'nothing to download' : 'nothing to upload')
}
function mfRender () {
  const target = $('magic-folders')
  if (mf.size === 0) { target.replaceChildren(el('p', { class: 'empty' }, 'no magic folders (lafs-club magic-folder add …)')); return }
  target.replaceChildren(...[...mf.values()].sort((a, b) => a.status.name < b.status.name ? -1 : 1).map(f => {
    const s = f.status
    const dl = el('dl', { class: 'kv' })
    kv(dl, [
      ['local path', el('span', { class: 'mono' }, s.localPath || '')],
      ['me', (s.participant || '') + (s.admin ? ' (admin)' : '')],
      ['last scan', f.scanning ? 'scanning now' : mfWhen(s.lastScan)],
      ['next scan', s.nextScan ? mfWhen(s.nextScan, true) : '–'],
      ['last poll', f.polling ? 'polling now' : mfWhen(s.lastPoll)],
      ['next poll', s.nextPoll ? mfWhen(s.nextPoll, true) : '–'],
      ['intervals', 'poll every ' + s.pollSeconds + ' s, scan every ' + s.scanSeconds + ' s'],
      ['synced', (s.uploads ?? 0) + ' up, ' + (s.downloads ?? 0) + ' down, ' + (s.deletionsSent ?? 0) + ' deletions sent, ' + (s.deletionsApplied ?? 0) + ' applied']
    ])
    return el('div', { class: 'mf', 'data-folder': s.name },
      el('h3', {}, s.name, el('span', { class: 'badge ' + (s.running === false ? 'no' : 'yes') }, s.running === false ? 'stopped' : 'running')),
      dl,
      el('h4', {}, 'uploads'), mfTransfers(f.up, false),
      el('h4', {}, 'downloads'), mfTransfers(f.down, true),
      el('h4', {}, 'conflicts'), table([{ label: 'file', mono: true }, { label: 'with' }, { label: 'their version kept as', mono: true }, { label: 'when' }],
        s.conflicts.map(c => ({ cells: [c.relpath, c.participant, c.file, ago(c.at)] })), 'no conflicts'),
      el('h4', {}, 'problems'), table([{ label: 'file', mono: true }, { label: 'code' }, { label: 'message' }, { label: 'when' }],
        s.errors.map(e => ({ attrs: { class: 'failed' }, cells: [e.relpath === undefined ? '(the folder)' : e.relpath, e.code, e.message, ago(e.at)] })), 'no problems'),
      el('h4', {}, 'participants'), table([{ label: 'name' }, { label: 'last seen changing something' }],
        s.participants.map(p => ({ cells: [p.name + (p.me ? ' (this node)' : ''), p.lastChange ? ago(p.lastChange) : 'never'] })), 'nobody yet'))
  }))
}
let mfDirty = false
function mfSoon () {
  if (mfDirty) return
  mfDirty = true
  setTimeout(() => { mfDirty = false; mfRender() }, 100)
}
function mfConnect () {
  const es = new EventSource('/api/magic-folders/events')
  es.addEventListener('snapshot', e => {
    const seen = new Set()
    for (const s of JSON.parse(e.data).folders) { mfStatus(s); seen.add(s.name) }
    for (const name of [...mf.keys()]) if (!seen.has(name)) mf.delete(name)
    $('mf-live').textContent = 'live'
    mfSoon()
  })
  es.addEventListener('status', e => { mfStatus(JSON.parse(e.data)); mfSoon() })
  for (const kind of MF_EVENTS) es.addEventListener(kind, e => { mfApply(kind, JSON.parse(e.data)); mfSoon() })
  es.onopen = () => { $('mf-live').textContent = 'live' }
  es.onerror = () => {
    $('mf-live').textContent = es.readyState === EventSource.CLOSED ? 'event stream refused; retrying' : 'reconnecting…'
    // The browser retries by itself unless the answer was an error (too many tabs, no token): then we do, slower.
    if (es.readyState === EventSource.CLOSED) setTimeout(mfConnect, 10000)
  }
}
mfConnect()
setInterval(mfRender, 1000)
</script>
</body>
</html>
`

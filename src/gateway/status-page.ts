/**
 * The live status page: static HTML whose script polls /status?t=json every
 * second and redraws. Everything from the node (club names come from other
 * people's rosters) goes into the page as text, never as HTML.
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
    <h2>Recent corrupt-share advisories</h2>
    <div id="corruption"></div>
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
  put('leases', table([{ label: 'cap', mono: true }, { label: 'expires' }, { label: 'last error' }],
    s.leasesExpiringSoon.map(l => ({ cells: [l.cap ? short(l.cap, 40) : 'SI ' + l.storageIndex, el('span', { class: 'badge warn' }, until(l.expiresAt)), l.lastError || ''] })),
    'no lease needs attention'))
  put('corruption', table([{ label: 'storage index', mono: true }, { label: 'share', num: true }, { label: 'reason' }, { label: 'when' }],
    s.corruption.map(c => ({ cells: [short(c.storageIndex, 20), c.shareNumber, c.reason, ago(c.at)] })),
    'no advisories'))
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
</script>
</body>
</html>
`

/** The status page's script, first part: DOM helpers, rendering /status?t=json, and polling it every second. Everything from the node goes in as text. */
export const STATUS_PAGE_SCRIPT = `'use strict'
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
    ['tor', !s.tor ? 'off' : s.tor.mode + (s.tor.hideIp ? ', Tor only' : '') + ', ' + (s.tor.bootstrap.progress >= 100 ? 'bootstrapped' : 'bootstrapping ' + s.tor.bootstrap.progress + '% (' + s.tor.bootstrap.summary + ')') + (s.tor.onionAddrs.length ? ', onion ' + s.tor.onionAddrs.join(' ') : '') + (s.tor.error ? ' — ' + s.tor.error.split('\\n')[0] : '')],
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
  const h = s.helper
  $('helper-section').hidden = !h
  if (h) {
    kv($('helper'), [
      ['uploads', h.placed + ' placed, ' + h.alreadyStored + ' found stored already'],
      ['spool', bytes(h.spoolBytes) + ' of ' + bytes(h.spoolLimit) + ' (' + bytes(h.clientSpoolLimit) + ' per client)'],
      ['in the spool', h.partials + ' upload(s), ' + h.active + ' being sent']
    ])
    put('helper-clients', table([{ label: 'client', mono: true }, { label: 'received', num: true }],
      h.clients.map(c => ({ cells: [short(c.peerId, 24), bytes(c.receivedBytes)] })),
      'no client yet'))
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
`

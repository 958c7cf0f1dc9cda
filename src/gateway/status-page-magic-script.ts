/** The status page's script, magic-folders part: follows /api/magic-folders/events and redraws each folder's state and files in flight (uses the helpers of STATUS_PAGE_SCRIPT). */
export const STATUS_PAGE_MAGIC_SCRIPT = `// Magic folders: the last snapshot or status of each folder, and the files in flight, from the event stream.
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
`

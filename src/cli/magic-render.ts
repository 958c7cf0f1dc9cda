/** What `lafs-club magic-folder list|status` prints for people. */
import type { MagicFolderStatus } from '../node/index.js'

/**
 * Fields the status may carry as the magic-folder layer grows (downloads
 * waiting, progress); shown when present.
 */
type StatusView = MagicFolderStatus

/** `45 s`, `90 s` → `1 m 30 s`, `2 h`, `1 d 3 h`: an interval as people say it. */
export function formatSeconds (seconds: number): string {
  if (seconds < 60) return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`
  const s = Math.round(seconds)
  const parts: Array<[number, string]> = [[Math.floor(s / 86_400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']]
  const first = parts.findIndex(([n]) => n > 0)
  return parts.slice(first, first + 2).filter(([n]) => n > 0).map(([n, u]) => `${n} ${u}`).join(' ')
}

function pad2 (n: number): string { return String(n).padStart(2, '0') }

/** Local time of day, with the date when it is not today. */
export function formatTime (ms: number, now = Date.now()): string {
  const d = new Date(ms)
  const today = new Date(now)
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
  return d.toDateString() === today.toDateString() ? time : `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${time}`
}

/** `12:00:03 (20 s ago)` / `in 40 s`. */
function when (ms: number | undefined, now: number): string {
  if (ms === undefined) return 'never'
  const delta = (ms - now) / 1000
  if (Math.abs(delta) < 1) return `${formatTime(ms, now)} (now)`
  return delta < 0 ? `${formatTime(ms, now)} (${formatSeconds(Math.round(-delta))} ago)` : `${formatTime(ms, now)} (in ${formatSeconds(Math.round(delta))})`
}

function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

export function magicListLines (folders: MagicFolderStatus[]): string | string[] {
  if (folders.length === 0) return 'no magic folders; add one with "lafs-club magic-folder add NAME LOCAL_PATH" or join one with "lafs-club magic-folder join CODE NAME LOCAL_PATH"'
  return folders.map(f => {
    const notes = [
      f.running ? undefined : 'stopped',
      f.errors.length > 0 ? plural(f.errors.length, 'error') : undefined,
      f.conflicts.length > 0 ? plural(f.conflicts.length, 'conflict') : undefined
    ].filter(n => n !== undefined)
    return `${f.name}  ${f.localPath}  as ${f.participant}${f.admin ? ' (admin)' : ''}, ${plural(f.participants.length, 'participant')}, poll every ${formatSeconds(f.pollSeconds)}, scan every ${formatSeconds(f.scanSeconds)}${notes.length > 0 ? `  [${notes.join(', ')}]` : ''}`
  })
}

export function magicStatusLines (f: StatusView, now = Date.now()): string[] {
  const lines = [
    `${f.name}${f.running ? '' : '  (stopped)'}`,
    `  local folder   ${f.localPath}`,
    `  you are        ${f.participant}${f.admin ? ' (admin: you can invite others)' : ''}`,
    `  remote poll    every ${formatSeconds(f.pollSeconds)}; last ${when(f.lastPoll, now)}, next ${when(f.nextPoll, now)}`,
    `  local scan     every ${formatSeconds(f.scanSeconds)}; last ${when(f.lastScan, now)}, next ${when(f.nextScan, now)}`,
    `  queued         ${f.queuedUploads} to upload, ${f.queuedDownloads} to download`,
    `  done so far    ${plural(f.uploads, 'upload')} (${plural(f.deletionsSent, 'deletion')}), ${plural(f.downloads, 'download')} (${plural(f.deletionsApplied, 'deletion')})`,
    `  participants   ${f.participants.length}`
  ]
  for (const p of f.participants) {
    const change = p.lastChange !== undefined ? `: last change ${when(p.lastChange, now)}` : (p.me ? '' : ': no change seen yet')
    lines.push(`    ${p.name}${p.me ? ' (you)' : ''}${change}`)
  }
  lines.push(`  conflicts      ${f.conflicts.length === 0 ? 'none' : f.conflicts.length}`)
  for (const c of f.conflicts) lines.push(`    ${c.relpath}: ${c.participant}'s version kept as ${c.file}, ${when(c.at, now)}`)
  lines.push(`  errors         ${f.errors.length === 0 ? 'none' : f.errors.length}`)
  for (const e of f.errors) lines.push(`    ${e.relpath ?? '(the folder)'}: ${e.message} [${e.code}], ${when(e.at, now)}`)
  return lines
}

export function magicStatusListLines (folders: MagicFolderStatus[], now = Date.now()): string | string[] {
  if (folders.length === 0) return magicListLines(folders)
  return folders.flatMap((f, i) => [...(i > 0 ? [''] : []), ...magicStatusLines(f, now)])
}

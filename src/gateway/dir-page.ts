/**
 * The HTML listing of a directory (`GET /uri/<dircap>/<path>` from a
 * browser). Plain HTML, no script and nothing fetched: everything in it that
 * comes from the directory (names, caps, metadata) is escaped, and the page
 * is served sandboxed, so a hostile child name stays text.
 *
 * The page is what users screenshot and share: it shows the read-only cap in
 * full and never the write cap (when opened with one it only says so). The
 * links keep the cap the page was opened with, so navigating stays writable.
 */
import type { DirChild, DirListing } from '../node/index.js'

/** Headers of the listing page: no script, no framing, no referrer (the URL holds a cap), downloads allowed. */
export const DIR_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "sandbox allow-downloads; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store'
})

export interface DirPageInput {
  /** The cap as the request named it (its links keep it). */
  urlCap: string
  /** The names from the root cap to this directory. */
  segments: string[]
  listing: DirListing
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for HTML content and (double- or single-quoted) attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => ESCAPES[c])
}

/** `/uri/<cap>/<seg>/…`, every part percent-encoded (a name may hold `?`, `#`, `%`, quotes). */
export function dirHref (cap: string, segments: string[], trailingSlash = false): string {
  const path = segments.map(s => '/' + encodeURIComponent(s)).join('')
  return `/uri/${encodeURIComponent(cap)}${path}${trailingSlash ? '/' : ''}`
}

function formatSize (size: number | undefined): string {
  if (size === undefined) return '?'
  if (size < 1024) return `${size} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = size / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}

function linkTime (child: DirChild): string {
  const tahoe = child.metadata.tahoe
  const t = tahoe !== null && typeof tahoe === 'object' && !Array.isArray(tahoe) ? tahoe.linkmotime ?? tahoe.linkcrtime : undefined
  if (typeof t !== 'number' || !Number.isFinite(t)) return ''
  return new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ') + ' UTC'
}

/** A write cap shortened to its kind and a few characters: enough to tell two apart, too little to use. */
export function capHint (cap: string): string {
  const m = /^(URI:[A-Z0-9-]+:)(.{0,4})/.exec(cap)
  return m === null ? '…' : `${m[1]}${m[2]}…`
}

function row (input: DirPageInput, child: DirChild): string {
  const isDir = child.type === 'dirnode'
  const href = dirHref(input.urlCap, [...input.segments, child.name], isDir)
  const name = `<a class="name" href="${escapeHtml(href)}">${escapeHtml(child.name)}${isDir ? '/' : ''}</a>`
  const kind = isDir ? 'directory' : child.type === 'filenode' ? (child.mutable === true ? `file (${child.format ?? 'mutable'})` : 'file') : 'unknown'
  const size = child.type === 'filenode' ? `<span title="${child.size ?? 'unknown'} bytes">${formatSize(child.size)}</span>` : ''
  const save = child.type === 'filenode' ? `<a href="${escapeHtml(href)}?save=true">download</a>` : ''
  return `<tr data-type="${child.type}"><td>${name}</td><td>${escapeHtml(kind)}</td><td class="num">${size}</td><td>${escapeHtml(linkTime(child))}</td><td>${save}</td></tr>`
}

function breadcrumbs (input: DirPageInput): string {
  const parts = [`<a href="${escapeHtml(dirHref(input.urlCap, [], true))}">root</a>`]
  input.segments.forEach((s, i) => {
    parts.push(`<a href="${escapeHtml(dirHref(input.urlCap, input.segments.slice(0, i + 1), true))}">${escapeHtml(s)}</a>`)
  })
  return parts.join(' / ')
}

export function renderDirPage (input: DirPageInput): string {
  const { listing, segments } = input
  const title = '/' + segments.join('/')
  const up = segments.length > 0
    ? `<p><a id="parent" href="${escapeHtml(dirHref(input.urlCap, segments.slice(0, -1), true))}">⬑ parent directory</a></p>`
    : ''
  const access = listing.readOnly
    ? `<p id="access">Read-only: this page was opened with a read cap${listing.mutable ? '' : ' (an immutable directory)'}.</p>`
    : `<p id="access"><strong>Writable</strong>: this page was opened with a write cap (${escapeHtml(capHint(listing.writeCap ?? ''))}, not shown; anyone with it can change this directory). Share the read-only cap instead.</p>`
  const rows = listing.children.map(c => row(input, c)).join('\n')
  const table = listing.children.length === 0
    ? '<p id="empty">This directory is empty.</p>'
    : `<table id="children"><thead><tr><th>name</th><th>type</th><th>size</th><th>linked</th><th></th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} — lafs-club directory</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 62rem; padding: 0 1rem; color: #1d1d1f; background: #fcfcfd; }
h1 { font-size: 1.3rem; margin: 0 0 .4rem; word-break: break-all; }
nav { color: #666; margin-bottom: 1rem; word-break: break-all; }
a { color: #0a58ca; text-decoration: none; } a:hover { text-decoration: underline; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e4e4e7; vertical-align: top; }
th { font-weight: 600; color: #555; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; }
td.num { text-align: right; white-space: nowrap; }
a.name { word-break: break-all; white-space: pre-wrap; }
tr[data-type="dirnode"] a.name { font-weight: 600; }
code { font-size: .82rem; word-break: break-all; background: #f1f1f4; padding: .1rem .3rem; border-radius: 3px; }
#caps { margin-top: 1.5rem; color: #444; font-size: .9rem; }
</style>
</head>
<body>
<h1 id="path">${escapeHtml(title)}</h1>
<nav id="crumbs">${breadcrumbs(input)}</nav>
${up}
${table}
<section id="caps">
${access}
<p>Read-only cap: <code id="ro-cap">${escapeHtml(listing.readCap)}</code></p>
<p>Format: ${escapeHtml(listing.format.toUpperCase())}${listing.mutable ? ', mutable' : ', immutable'} · <a id="json" href="${escapeHtml(dirHref(input.urlCap, segments, segments.length > 0))}?t=json">JSON</a></p>
</section>
</body>
</html>
`
}

/**
 * The combined bench's picture, drawn by hand (a chart library would be the
 * largest dependency of the repo for two small plots): locate RPCs against
 * network size for each way, and throughput bars for the transfer section.
 * Plain SVG 1.1 with inline attributes, so GitHub's image proxy and any
 * browser render it the same.
 */

export interface LocateSeries { name: string, color: string, dashed?: boolean, points: Array<{ n: number, rpcs: number }> }
export interface Bar { label: string, mbps: number, color: string }

const W = 900
const H = 360
const FONT = 'font-family="Helvetica, Arial, sans-serif"'

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const num = (v: number): string => Number.isInteger(v) ? String(v) : v.toFixed(1)

/** A "nice" axis maximum and step: 1, 2 or 5 times a power of ten. */
function axis (max: number, ticks = 5): { top: number, step: number } {
  const raw = Math.max(max, 1e-9) / ticks
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(m => m * pow).find(s => s >= raw) ?? raw
  return { top: Math.ceil(max / step) * step, step }
}

interface Box { x: number, y: number, w: number, h: number }

function frame (box: Box, title: string, yLabel: string, yTop: number, yStep: number): string[] {
  const out = [`<text x="${box.x + box.w / 2}" y="${box.y - 14}" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(title)}</text>`]
  for (let v = 0; v <= yTop + 1e-9; v += yStep) {
    const y = box.y + box.h - (v / yTop) * box.h
    out.push(`<line x1="${box.x}" y1="${y}" x2="${box.x + box.w}" y2="${y}" stroke="#e3e3e3"/>`)
    out.push(`<text x="${box.x - 6}" y="${y + 4}" text-anchor="end" font-size="11" ${FONT}>${num(v)}</text>`)
  }
  out.push(`<line x1="${box.x}" y1="${box.y + box.h}" x2="${box.x + box.w}" y2="${box.y + box.h}" stroke="#333"/>`)
  out.push(`<line x1="${box.x}" y1="${box.y}" x2="${box.x}" y2="${box.y + box.h}" stroke="#333"/>`)
  out.push(`<text transform="translate(${box.x - 40} ${box.y + box.h / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${esc(yLabel)}</text>`)
  return out
}

function locatePanel (box: Box, series: LocateSeries[]): string[] {
  const ns = [...new Set(series.flatMap(s => s.points.map(p => p.n)))].sort((a, b) => a - b)
  const { top, step } = axis(Math.max(1, ...series.flatMap(s => s.points.map(p => p.rpcs))))
  const out = frame(box, 'Locate cost vs network size', 'RPCs per locate (mean)', top, step)
  if (ns.length === 0) return [...out, `<text x="${box.x + box.w / 2}" y="${box.y + box.h / 2}" text-anchor="middle" font-size="13" ${FONT}>no locate data</text>`]
  const lo = ns[0]
  const hi = ns[ns.length - 1]
  const xOf = (n: number): number => hi === lo ? box.x + box.w / 2 : box.x + 20 + ((n - lo) / (hi - lo)) * (box.w - 40)
  const yOf = (v: number): number => box.y + box.h - (v / top) * box.h
  for (const n of ns) out.push(`<text x="${xOf(n)}" y="${box.y + box.h + 16}" text-anchor="middle" font-size="11" ${FONT}>${n}</text>`)
  out.push(`<text x="${box.x + box.w / 2}" y="${box.y + box.h + 34}" text-anchor="middle" font-size="12" ${FONT}>network size N (nodes)</text>`)
  series.forEach((s, i) => {
    const pts = s.points.filter(p => Number.isFinite(p.rpcs)).sort((a, b) => a.n - b.n)
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : ''
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5"${dash} points="${pts.map(p => `${xOf(p.n).toFixed(1)},${yOf(p.rpcs).toFixed(1)}`).join(' ')}"/>`)
    for (const p of pts) {
      out.push(`<circle cx="${xOf(p.n).toFixed(1)}" cy="${yOf(p.rpcs).toFixed(1)}" r="4" fill="${s.color}"/>`)
      // odd series label below their points, so lines that meet keep readable labels
      const dy = i % 2 === 0 ? -7 : 15
      out.push(`<text x="${(xOf(p.n) + 6).toFixed(1)}" y="${(yOf(p.rpcs) + dy).toFixed(1)}" font-size="10" fill="${s.color}" ${FONT}>${num(p.rpcs)}</text>`)
    }
    const ly = box.y + 8 + i * 16
    out.push(`<line x1="${box.x + 12}" y1="${ly}" x2="${box.x + 36}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${dash}/>`)
    out.push(`<text x="${box.x + 42}" y="${ly + 4}" font-size="11" ${FONT}>${esc(s.name)}</text>`)
  })
  return out
}

function barPanel (box: Box, bars: Bar[], title: string): string[] {
  const { top, step } = axis(Math.max(1, ...bars.map(b => b.mbps)))
  const out = frame(box, title, 'MB/s (best round)', top, step)
  const slot = box.w / Math.max(1, bars.length)
  bars.forEach((b, i) => {
    const h = Number.isFinite(b.mbps) ? (b.mbps / top) * box.h : 0
    const x = box.x + i * slot + slot * 0.18
    out.push(`<rect x="${x.toFixed(1)}" y="${(box.y + box.h - h).toFixed(1)}" width="${(slot * 0.64).toFixed(1)}" height="${h.toFixed(1)}" fill="${b.color}"/>`)
    out.push(`<text x="${(x + slot * 0.32).toFixed(1)}" y="${(box.y + box.h - h - 5).toFixed(1)}" text-anchor="middle" font-size="11" ${FONT}>${Number.isFinite(b.mbps) ? b.mbps.toFixed(1) : 'n/a'}</text>`)
    b.label.split('\n').forEach((line, j) => {
      out.push(`<text x="${(x + slot * 0.32).toFixed(1)}" y="${box.y + box.h + 16 + j * 13}" text-anchor="middle" font-size="11" ${FONT}>${esc(line)}</text>`)
    })
  })
  return out
}

export function benchSvg (opts: { locate: LocateSeries[], bars: Bar[], barTitle: string, footer: string }): string {
  const body = [
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    ...locatePanel({ x: 70, y: 45, w: 340, h: 240 }, opts.locate),
    ...barPanel({ x: 530, y: 45, w: 350, h: 240 }, opts.bars, opts.barTitle),
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="11" fill="#555" ${FONT}>${esc(opts.footer)}</text>`
  ]
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">\n${body.join('\n')}\n</svg>\n`
}

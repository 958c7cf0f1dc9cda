/**
 * The lookup-cost chart (bench/results/lookup-cost.svg), drawn by hand like
 * bench/lib/bench-svg.ts: two panels, RPCs and round trips against network
 * size on a log2 x axis (so log2(N) is a straight line), one polyline per way.
 */

export interface CurvePoint { n: number, mean: number, p95?: number }
export interface Curve { name: string, color: string, dashed?: boolean, thin?: boolean, points: CurvePoint[] }
export interface Panel { title: string, yLabel: string, curves: Curve[] }

const W = 1030
const PANEL_W = 440
const PANEL_H = 300
const TOP = 70
const FONT = 'font-family="Helvetica, Arial, sans-serif"'

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const num = (v: number): string => Number.isInteger(v) ? String(v) : v.toFixed(1)

function niceAxis (max: number, ticks = 5): { top: number, step: number } {
  const raw = Math.max(max, 1e-9) / ticks
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map(m => m * pow).find(s => s >= raw) ?? raw
  return { top: Math.ceil(max / step) * step, step }
}

function panel (x0: number, y0: number, p: Panel, sizes: number[]): string[] {
  const out: string[] = []
  const all = p.curves.flatMap(c => c.points.flatMap(pt => [pt.mean, pt.p95 ?? 0]))
  const { top, step } = niceAxis(Math.max(1, ...all.filter(Number.isFinite)))
  const lo = Math.log2(Math.min(...sizes))
  const hi = Math.log2(Math.max(...sizes))
  const xOf = (n: number): number => x0 + 10 + ((Math.log2(n) - lo) / (hi - lo)) * (PANEL_W - 20)
  const yOf = (v: number): number => y0 + PANEL_H - (v / top) * PANEL_H
  out.push(`<text x="${x0 + PANEL_W / 2}" y="${y0 - 12}" text-anchor="middle" font-size="15" font-weight="bold" ${FONT}>${esc(p.title)}</text>`)
  for (let v = 0; v <= top + 1e-9; v += step) {
    out.push(`<line x1="${x0}" y1="${yOf(v).toFixed(1)}" x2="${x0 + PANEL_W}" y2="${yOf(v).toFixed(1)}" stroke="#e6e6e6"/>`)
    out.push(`<text x="${x0 - 6}" y="${(yOf(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" ${FONT}>${num(v)}</text>`)
  }
  for (const n of sizes) {
    out.push(`<line x1="${xOf(n).toFixed(1)}" y1="${y0 + PANEL_H}" x2="${xOf(n).toFixed(1)}" y2="${y0 + PANEL_H + 4}" stroke="#333"/>`)
    out.push(`<text x="${xOf(n).toFixed(1)}" y="${y0 + PANEL_H + 17}" text-anchor="middle" font-size="11" ${FONT}>${n}</text>`)
  }
  out.push(`<line x1="${x0}" y1="${y0 + PANEL_H}" x2="${x0 + PANEL_W}" y2="${y0 + PANEL_H}" stroke="#333"/>`)
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 + PANEL_H}" stroke="#333"/>`)
  out.push(`<text x="${x0 + PANEL_W / 2}" y="${y0 + PANEL_H + 36}" text-anchor="middle" font-size="12" ${FONT}>network size N (log scale)</text>`)
  out.push(`<text transform="translate(${x0 - 38} ${y0 + PANEL_H / 2}) rotate(-90)" text-anchor="middle" font-size="12" ${FONT}>${esc(p.yLabel)}</text>`)
  for (const c of p.curves) {
    const pts = c.points.filter(pt => Number.isFinite(pt.mean)).sort((a, b) => a.n - b.n)
    const dash = c.dashed === true ? ' stroke-dasharray="7 4"' : c.thin === true ? ' stroke-dasharray="2 3"' : ''
    const width = c.thin === true ? 1.5 : 2.5
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${c.color}" stroke-width="${width}"${dash} points="${pts.map(pt => `${xOf(pt.n).toFixed(1)},${yOf(pt.mean).toFixed(1)}`).join(' ')}"/>`)
    if (c.thin !== true) for (const pt of pts) out.push(`<circle cx="${xOf(pt.n).toFixed(1)}" cy="${yOf(pt.mean).toFixed(1)}" r="3.5" fill="${c.color}"/>`)
    // p95 as a short whisker above the mean
    for (const pt of pts) {
      if (pt.p95 == null || pt.p95 <= pt.mean) continue
      out.push(`<line x1="${xOf(pt.n).toFixed(1)}" y1="${yOf(pt.mean).toFixed(1)}" x2="${xOf(pt.n).toFixed(1)}" y2="${yOf(pt.p95).toFixed(1)}" stroke="${c.color}" stroke-width="1.2"/>`)
      out.push(`<line x1="${(xOf(pt.n) - 4).toFixed(1)}" y1="${yOf(pt.p95).toFixed(1)}" x2="${(xOf(pt.n) + 4).toFixed(1)}" y2="${yOf(pt.p95).toFixed(1)}" stroke="${c.color}" stroke-width="1.2"/>`)
    }
  }
  return out
}

function legend (x: number, y: number, curves: Curve[]): string[] {
  const out: string[] = []
  const perRow = 2
  curves.forEach((c, i) => {
    const cx = x + (i % perRow) * 470
    const cy = y + Math.floor(i / perRow) * 18
    const dash = c.dashed === true ? ' stroke-dasharray="7 4"' : c.thin === true ? ' stroke-dasharray="2 3"' : ''
    out.push(`<line x1="${cx}" y1="${cy - 4}" x2="${cx + 26}" y2="${cy - 4}" stroke="${c.color}" stroke-width="${c.thin === true ? 1.5 : 2.5}"${dash}/>`)
    out.push(`<text x="${cx + 32}" y="${cy}" font-size="12" ${FONT}>${esc(c.name)}</text>`)
  })
  return out
}

export function lookupSvg (opts: { title: string, left: Panel, right: Panel, sizes: number[], footer: string[] }): string {
  const names = new Map<string, Curve>()
  for (const c of [...opts.left.curves, ...opts.right.curves]) if (!names.has(c.name)) names.set(c.name, c)
  const legendRows = Math.ceil(names.size / 2)
  const H = TOP + PANEL_H + 60 + legendRows * 18 + opts.footer.length * 15 + 20
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold" ${FONT}>${esc(opts.title)}</text>`,
    ...panel(60, TOP, opts.left, opts.sizes),
    ...panel(60 + PANEL_W + 60, TOP, opts.right, opts.sizes),
    ...legend(40, TOP + PANEL_H + 62, [...names.values()]),
    ...opts.footer.map((line, i) => `<text x="40" y="${TOP + PANEL_H + 62 + legendRows * 18 + 8 + i * 15}" font-size="11" fill="#555" ${FONT}>${esc(line)}</text>`),
    '</svg>'
  ]
  return out.join('\n') + '\n'
}

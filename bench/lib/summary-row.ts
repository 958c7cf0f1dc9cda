/** One line of the combined bench's table; every section turns its result into a few. */
export interface SummaryRow {
  section: string
  measure: string
  ours: string
  baseline: string
  /** Ours against the baseline, measured in the same run. */
  ratio: string
  goal: string
  result: string
}

export const SUMMARY_HEADER = ['section', 'measure', 'ours', 'baseline (same run)', 'ratio', 'goal', 'result']

export const summaryCells = (r: SummaryRow): string[] => [r.section, r.measure, r.ours, r.baseline, r.ratio, r.goal, r.result]

export const metText = (ok: boolean): string => ok ? 'met' : 'NOT MET'

/** Progress lines go to stderr, so stdout carries only the final table. */
export function progressLog (section: string): (line: string) => void {
  const t0 = Date.now()
  return line => { console.error(`[${section} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`) }
}

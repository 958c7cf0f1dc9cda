/** The word after `name` on the command line (`--runs 15`), or undefined when `name` is absent. */
export function option (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

/** `option(name)` as a positive number; undefined when absent, an error naming the option when it is not one. */
export function positiveOption (name: string): number | undefined {
  const v = option(name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} wants a positive number, not '${String(v)}'`)
  return n
}

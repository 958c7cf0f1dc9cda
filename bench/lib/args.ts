/** The word after `name` on the command line (`--runs 15`), or undefined when `name` is absent. */
export function option (name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

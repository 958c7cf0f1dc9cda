/**
 * config.json on disk: read and validate, write, and change single keys while
 * leaving what the user wrote alone.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { defaultConfig, mergeConfig, type ConfigInput, type NodeConfig } from './config.js'
import { ConfigError, MissingDataDirError } from './errors.js'

/** Reads and validates `path`, merged over the defaults. A missing file is a MissingDataDirError. */
export async function loadConfigFile (path: string, dataDir: string): Promise<NodeConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    if (err?.code === 'ENOENT') throw new MissingDataDirError(dataDir)
    throw err
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err: any) {
    throw new ConfigError('', `is not valid JSON (${err?.message ?? err}). Fix the file, or move it away and run "lafs-club init" for a fresh one.`, path)
  }
  return mergeConfig(defaultConfig(), json, path)
}

/** Writes a config as pretty JSON (mode 0644: it holds no secrets). */
export async function writeConfigFile (path: string, config: NodeConfig | ConfigInput | Record<string, unknown>): Promise<void> {
  await writeFile(path, JSON.stringify(config, null, 2) + '\n', { mode: 0o644 })
}

/**
 * Applies `patch` to the keys config.json holds (validated against the whole
 * config first), keeping every key the user wrote and the file's order.
 */
export async function updateConfigFile (path: string, dataDir: string, patch: ConfigInput): Promise<NodeConfig> {
  const merged = mergeConfig(await loadConfigFile(path, dataDir), patch, 'config change')
  const written = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>
  for (const [key, value] of Object.entries(patch)) {
    const current = written[key]
    written[key] = value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object' && !Array.isArray(current)
      ? { ...current, ...value }
      : value
  }
  await writeConfigFile(path, written)
  return merged
}

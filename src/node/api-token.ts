/**
 * The gateway's control-API token, Tahoe's `private/api_auth_token`: a random
 * secret that whoever may drive the node (the CLI, the status page the
 * gateway serves) presents, and a web page on another site cannot learn.
 * Kept as text (base32 of 32 random bytes and a newline), mode 0600.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { base32 } from 'multiformats/bases/base32'
import { KeyFileError } from './errors.js'
import { dataDirPaths } from './paths.js'

export const API_TOKEN_FILE = 'api_auth_token'
const TOKEN_BYTES = 32

/** `<dataDir>/private/api_auth_token`. */
export function apiTokenPath (dataDir: string): string {
  return join(dataDirPaths(dataDir).privateDir, API_TOKEN_FILE)
}

/** A fresh random token (also what an embedded gateway without a data folder uses). */
export function newApiToken (): string {
  return base32.baseEncode(randomBytes(TOKEN_BYTES))
}

/** The token in the data folder; undefined when there is none yet. */
export async function readApiToken (dataDir: string): Promise<string | undefined> {
  const path = apiTokenPath(dataDir)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new KeyFileError(path, `cannot be read (${(err as Error).message})`, err)
  }
  const token = text.trim()
  if (token === '') throw new KeyFileError(path, 'is empty')
  return token
}

/** Reads the token, writing a new one (mode 0600) when the file does not exist. */
export async function loadOrCreateApiToken (dataDir: string): Promise<string> {
  const existing = await readApiToken(dataDir)
  if (existing !== undefined) return existing
  const token = newApiToken()
  try {
    await writeFile(apiTokenPath(dataDir), token + '\n', { mode: 0o600, flag: 'wx' })
  } catch (err) {
    // Another process (init racing start) wrote it first: theirs wins.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readApiToken(dataDir)) ?? token
    throw err
  }
  return token
}

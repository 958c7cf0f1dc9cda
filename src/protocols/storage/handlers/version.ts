import { MAX_READ_LENGTH, MAX_WRITE_SIZE } from '../constants.js'
import type { RequestContext } from '../context.js'
import type { VersionRequest } from '../message/storage.js'

function wireNumber (n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.min(Math.floor(n), Number.MAX_SAFE_INTEGER)) : Number.MAX_SAFE_INTEGER
}

export async function handleVersion (ctx: RequestContext, _req: VersionRequest): Promise<void> {
  const v = ctx.server.version()
  await ctx.reply({
    version: {
      maximumImmutableShareSize: wireNumber(v.maximumImmutableShareSize),
      availableSpace: wireNumber(v.availableSpace),
      applicationVersion: v.applicationVersion,
      maxWriteSize: MAX_WRITE_SIZE,
      maxReadSize: MAX_READ_LENGTH
    }
  })
}

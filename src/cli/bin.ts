#!/usr/bin/env node
import '../shim.js'
import { tuneProcess } from '../node/index.js'
import { main } from './main.js'

// Before any file data moves: glibc's and V8's settings for a process of large buffers (node/process-tuning.ts).
tuneProcess()

// libp2p can reject a promise it cached internally when a peer resets a
// stream (a server killed mid-transfer), with nobody left to await it. The
// transfer itself sees the failure and moves to another share; without this
// handler Node would end the whole command. The daemon installs its own.
process.on('unhandledRejection', (reason) => {
  if (process.env.LAFS_CLUB_DEBUG != null) process.stderr.write(`lafs-club: stray rejection ignored: ${(reason as Error)?.stack ?? String(reason)}\n`)
})

process.exitCode = await main(process.argv)

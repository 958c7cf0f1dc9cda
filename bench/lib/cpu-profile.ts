/**
 * A V8 CPU profile of this process over a stretch of a bench (not the whole
 * run, as `node --cpu-prof` gives), through the inspector; open the file in
 * Chrome DevTools or speedscope.
 */
import { Session } from 'node:inspector/promises'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface RunningProfile {
  /** Stops profiling and writes `<dir>/client-<time>.cpuprofile`; answers its path. */
  stop: (dir: string) => Promise<string>
}

export async function startProfile (samplingIntervalUs = 500): Promise<RunningProfile> {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs })
  await session.post('Profiler.start')
  return {
    stop: async dir => {
      const { profile } = await session.post('Profiler.stop')
      session.disconnect()
      await mkdir(dir, { recursive: true })
      const file = join(dir, `client-${Date.now()}.cpuprofile`)
      await writeFile(file, JSON.stringify(profile))
      return file
    }
  }
}

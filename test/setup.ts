// Loaded by mocha before any spec (see .mocharc.json): the runtime shim first.
import '../src/shim.js'

/**
 * Mocha runs without `exit: true`, so a timer, socket, child process or
 * worker left running by a test keeps the process alive after the last
 * test, and CI would hang until its time limit. This root hook turns that
 * into a failure that names what is left. Its timer is unref'd: it fires
 * only if something else holds the event loop open.
 */
const EXIT_GRACE_MS = 10_000

export const mochaHooks = {
  afterAll (): void {
    setTimeout(() => {
      const left = process.getActiveResourcesInfo().filter(r => r !== 'TTYWrap')
      console.error(`\nThe test process is still running ${EXIT_GRACE_MS / 1000} s after the last test: something was not stopped.` +
        `\nStill active: ${left.join(', ')}` +
        '\nFind it with a temporary `why-is-node-running` import, or by running the spec files one at a time.')
      // mocha sets the exit code from the failure count in its own 'exit' listener; this one runs after it.
      process.on('exit', () => { process.exitCode = 1 })
      process.exit(1)
    }, EXIT_GRACE_MS).unref()
  }
}

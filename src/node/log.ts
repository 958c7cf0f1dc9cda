/** Where the node reports what an operator should know (the CLI passes a console logger). */
export interface NodeLogger {
  info: (message: string) => void
  warn: (message: string) => void
  error: (message: string) => void
}

/** Embedded default: warnings and errors on stderr, info only with DEBUG=lafs-club*. */
export const defaultLogger: NodeLogger = {
  info: (m) => { if (/lafs-club/.test(process.env.DEBUG ?? '')) console.error(`lafs-club: ${m}`) },
  warn: (m) => { console.error(`lafs-club: warning: ${m}`) },
  error: (m) => { console.error(`lafs-club: error: ${m}`) }
}

/** For embedding where nothing should be printed. */
export const silentLogger: NodeLogger = { info: () => {}, warn: () => {}, error: () => {} }

/** Console logger for the daemon: info on stdout, the rest on stderr. */
export const consoleLogger: NodeLogger = {
  info: (m) => { console.log(m) },
  warn: (m) => { console.error(`warning: ${m}`) },
  error: (m) => { console.error(`error: ${m}`) }
}

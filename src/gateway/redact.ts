/**
 * `/status?t=json` for a caller without the API token: the same document with
 * every cap taken out. A cap is a read capability (whoever has it reads the
 * file), so a stranger sees storage indexes, which name a file without opening it.
 */
import type { StatusJson } from '../node/index.js'

export function withoutCaps (s: StatusJson): StatusJson {
  return {
    ...s,
    leasesExpiringSoon: s.leasesExpiringSoon.map(({ cap: _cap, ...rest }) => rest),
    transfers: s.transfers.map(({ cap: _cap, ...rest }) => rest)
  }
}

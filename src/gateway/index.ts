/**
 * The HTTP gateway and live status page of a lafs-club node: Tahoe-style
 * `PUT /uri` / `GET /uri/<cap>` (Range, HEAD), `/status` (HTML and JSON),
 * `/metrics` (Prometheus) and the JSON control API used by the CLI. Routes are
 * documented in docs/cli.md.
 */
export { startGateway, DEFAULT_GATEWAY_PORT, DEFAULT_LOCATE_TIMEOUT_MS, type Gateway, type GatewayOptions, type StatusJson } from './server.js'
export { backendFromNode, type NodeExtensions, type ClubManagerLike } from './node-backend.js'
export type * from './backend.js'
export { GatewayError, NotSupportedError, BadRequestError, RangeNotSatisfiableError, FileNotFoundError, statusOf, errorBody } from './errors.js'
export { parseRange, type ByteRange } from './range.js'
export { renderMetrics, METRICS_CONTENT_TYPE } from './metrics.js'
export { TransferTracker, type Transfer, type TransferTotals } from './transfers.js'
export { contentTypeFor, DEFAULT_CONTENT_TYPE } from './content-type.js'

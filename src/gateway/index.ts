/**
 * The HTTP gateway and live status page of a lafs-club node: Tahoe-style
 * `PUT /uri` / `GET /uri/<cap>` (Range, HEAD), `/status` (HTML and JSON),
 * `/metrics` (Prometheus) and the JSON control API used by the CLI, all over
 * the node's `LafsNode` door. Routes are documented in docs/cli.md.
 */
export { startGateway, DEFAULT_GATEWAY_PORT, DEFAULT_LOCATE_TIMEOUT_MS, type Gateway, type GatewayOptions } from './server.js'
export { EXPLAIN_HEADER } from './file-routes.js'
export { GatewayError, BadRequestError, RangeNotSatisfiableError, FileNotFoundError, UnauthorizedError, ForbiddenOriginError, statusOf, errorBody } from './errors.js'
export { API_COOKIE } from './guard.js'

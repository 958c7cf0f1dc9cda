/**
 * Where shares go and where to find them: the permuted ring, servers-of-
 * happiness placement, and (with clubs and the DHT) the locate planner.
 */
export { permute, ringPosition } from './permuted-ring.js'
export { planPlacement, happinessOf, maximumMatching, type Placement, type PlacementInput } from './happiness.js'
export {
  locate, plannedNetworkSize, type LocateBudget, type LocateDeps, type LocateExplain, type LocateOptions, type LocateResult, type LocateTarget,
  type LocateWay, type LocatedServer, type WayEstimate, type WayRun
} from './locate.js'
export { distinct as distinctShares } from './locate-ways.js'
export { LocateError } from './errors.js'

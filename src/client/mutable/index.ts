/**
 * The mutable-file client (Tahoe's SDMF and MDMF): servermap update,
 * publish (new file, new version), retrieve, modify with retry, and
 * check / verify / repair, over the storage protocol's slot operations.
 */
export { updateServermap, newStats, PREFIX_READ, type Servermap, type MapShare, type MapVersion, type MutableStats, type ServermapOptions } from './servermap.js'
export { publishNewMutable, publishMutableVersion, recoverKeyPair, type NewMutableOptions, type PublishOptions, type PublishResult, type PublishVersionOptions } from './publish.js'
export { retrieveMutable, type RetrieveOptions, type Retrieved } from './retrieve.js'
export { modifyMutable, overwriteMutable, type Modifier, type ModifyInfo, type ModifyOptions, type ModifyResult } from './modify.js'
export { checkMutable, type MutableCheckOptions, type MutableCheckReport } from './checker.js'
export * from './errors.js'

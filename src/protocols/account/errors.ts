export { RemoteStorageError, MalformedMessageError } from '../errors.js'

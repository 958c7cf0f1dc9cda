export { SlowDownError, MalformedMessageError, MessageTooLargeError, RemoteStorageError } from '../errors.js'

export {
  RemoteStorageError, MalformedMessageError, MessageTooLargeError, TruncatedFrameError,
  OutOfOrderError, RequestTimeoutError, StreamClosedError, ClientStoppedError
} from '../errors.js'

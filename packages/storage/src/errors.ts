import { WispError } from '@wisp/protocol'

export type StorageErrorCode =
  /** The backend failed (disk, quota, closed database). Nothing was half-written. */
  | 'STORAGE_BACKEND_FAILED'
  /** The store was closed. */
  | 'STORAGE_CLOSED'
  /** A stored or imported value does not have the expected shape. */
  | 'STORAGE_CORRUPT_RECORD'
  /** Slashing protection: this operator already signed the opposite verdict of this task. */
  | 'SLASHING_CONFLICT'
  /** An interchange or keystore file of an unknown kind or version. */
  | 'STORAGE_UNSUPPORTED_FORMAT'
  /** Wrong passphrase or tampered keystore (AES-GCM authentication failed). */
  | 'KEYSTORE_DECRYPT_FAILED'
  | 'KEYSTORE_INVALID'

export class StorageError extends WispError<StorageErrorCode> {
  constructor(
    code: StorageErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'StorageError' })
  }
}

export { StorageError, type StorageErrorCode } from './errors.js'
export { type AttestationRecord, History, type TaskOutcome } from './history.js'
export {
  DEFAULT_SCRYPT,
  decryptKey,
  encryptKey,
  Keystore,
  type KeystoreFile,
  type KeyType,
  parseKeystore,
  type ScryptParams,
} from './keystore.js'
export { MemoryStore } from './memory.js'
export { Mutex } from './mutex.js'
export {
  type SlashingInterchange,
  SlashingProtection,
  type SlashingRecord,
  type Verdict,
} from './slashing-protection.js'
export {
  type BatchOp,
  decodeJson,
  encodeJson,
  type KeyValueStore,
  prefixEnd,
  type ScanOptions,
} from './store.js'

export * from './errors.js'
export * from './hashes.js'

/// <reference types="node" />
// Node side of the web attester, for the local network (devnet) and anyone hosting it:
// `startWebServer` serves the built app (dist/web), its `/wisp-config.json` and, optionally, a
// local network's faucet endpoint; `createLocalFaucet` implements that endpoint with plain transfers.

export type {
  FaucetError,
  FaucetRequest,
  FaucetResponse,
  PluginSpec,
  UrlPluginSpec,
  WispWebConfig,
} from '../config.js'
export { parseConfig, parseFaucetRequest } from '../config.js'
export { createLocalFaucet, FaucetFailure, type LocalFaucetOptions } from './faucet.js'
export {
  buildWebApp,
  DEFAULT_FAUCET_PATH,
  type FaucetHandler,
  startWebServer,
  type WebServer,
  type WebServerOptions,
  webAppDir,
} from './serve.js'

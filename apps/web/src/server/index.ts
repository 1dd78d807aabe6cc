/// <reference types="node" />
// Node side of the web attester, for the local network (devnet) and anyone hosting it:
// `startWebServer` serves the built app (dist/web), its `/wisp-config.json` and, optionally, the
// one-click registration endpoint; `createAnvilRegistrar` implements that endpoint on anvil.

export type {
  PluginSpec,
  RegistrationError,
  RegistrationRequest,
  RegistrationResponse,
  UrlPluginSpec,
  WispWebConfig,
} from '../config.js'
export { parseConfig, parseRegistrationRequest } from '../config.js'
export { type AnvilRegistrarOptions, createAnvilRegistrar } from './registrar.js'
export {
  buildWebApp,
  DEFAULT_REGISTRATION_PATH,
  type RegistrationHandler,
  startWebServer,
  type WebServer,
  type WebServerOptions,
  webAppDir,
} from './serve.js'

export {
  type DevnetChain,
  type DevnetChainOptions,
  type DevnetDefinition,
  deployDevnetChain,
  devnetOperatorKey,
  devnetPlanInput,
} from './chain.js'
export { runDevnetCli } from './cli.js'
export {
  DEFAULT_DEVNET_OPTIONS,
  DEVNET_OUTCOME_WINDOW_MS,
  DEVNET_SLASHING,
  type Devnet,
  type DevnetInfo,
  type DevnetOptions,
  devnetPlugins,
  startDevnet,
  waitForMesh,
} from './devnet.js'
export { type SignedTask, sendSignedTask, signedHashChainTask } from './tasks.js'

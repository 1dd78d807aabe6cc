// @wisp/contracts/dev — development tooling, never for production code: an anvil launcher (Node
// only; needs the optional peer dependency @foundry-rs/anvil), anvil's well-known dev keys and the
// local-network deployer (test tokens, operators registered with real BLS keys, task definitions).
// It lives beside the bytecode it deploys so that this package's own tests, @wisp/chain's tests
// and every app share one deployer without a dependency cycle.
export { type Anvil, type AnvilOptions, anvilBinaryPath, DEFAULT_ANVIL_OPTIONS, startAnvil } from './anvil.js'
export {
  DEFAULT_LOCAL_NETWORK_OPTIONS,
  DEFAULT_OPERATOR_VOTING_POWER,
  deployLocalNetwork,
  LOCAL_SLASHING_CONDITIONS,
  type LocalNetwork,
  type LocalNetworkOptions,
  type LocalOperator,
  type LocalOperatorSpec,
  type LocalSlashingCondition,
  type LocalSlashingConfig,
  type LocalTaskDefinitionSpec,
  WAD,
} from './deploy.js'
export { DEV_ERROR_CODES, DevError, type DevErrorCode } from './errors.js'
export { ANVIL_DEV_KEYS, ANVIL_DEV_MNEMONIC } from './keys.js'
export {
  DEFAULT_OTHENTIC_VOTING_POWER,
  deployOthenticShapedNetwork,
  type OthenticShapedNetwork,
  type OthenticShapedNetworkOptions,
  type OthenticShapedOperator,
  type OthenticShapedOperatorSpec,
  type OthenticShapedTaskDefinitionSpec,
} from './othentic.js'

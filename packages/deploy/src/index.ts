// @wisp/deploy: Wisp's contracts on any EVM JSON-RPC from a deployment plan (Node).
export {
  type DeployEvent,
  Deployment,
  type DeploymentPreview,
  type DeploymentResult,
  type DeployParams,
  deploy,
  networkFileOf,
  type StepPreview,
} from './deploy.js'
export { DEPLOY_BAD_INPUT_CODES, DEPLOY_ERROR_CODES, DeployError, type DeployErrorCode } from './errors.js'
export {
  type AddressOrDeployer,
  type DeploymentPlan,
  PLAN_VERSION,
  parseAmount,
  parseDeploymentPlan,
  parseDeploymentPlanText,
  planHash,
  type SlashingPlan,
  type TaskDefinitionPlan,
  type TokenPlan,
} from './plan.js'
export { type DeploymentRecord, RECORD_VERSION, readRecord, type StepRecord } from './record.js'
export { createDeployClient, DEFAULT_RPC_OPTIONS, type DeployRpcOptions, transportFailure } from './rpc.js'
export { CONTRACT_NAMES, type ContractName, planSteps, type Step, type StepContext } from './steps.js'

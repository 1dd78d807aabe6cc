// Operators, tasks and attestations signed the way real ones are, for tests and the benchmark.
import { SecretKey } from '@wisp/bls'
import {
  DOMAIN_TASKS,
  type G1Point,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTask,
  type WireTaskSubmitted,
} from '@wisp/protocol'
import { type Address, type Hex, keccak256, stringToHex, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  createMemoryOperatorDirectory,
  createMemoryTaskDefinitions,
  type Deployment,
  type OperatorInfo,
} from '../../src/index.js'

export const DEPLOYMENT: Deployment = {
  chainId: 31337,
  attestationCenter: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
}
export const OTHER_DEPLOYMENT: Deployment = {
  chainId: 17000,
  attestationCenter: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
}
export const DEFINITION_ID = 1

export interface TestOperator {
  info: OperatorInfo
  blsKey: SecretKey
  ecdsaKey: Hex
}

/** Deterministic operators 1..n (ids are 1-based like the contract's indexes). */
export function makeOperators(count: number, salt = 'wisp-p2p-test'): TestOperator[] {
  return Array.from({ length: count }, (_, i) => {
    const ecdsaKey = keccak256(stringToHex(`${salt}/ecdsa/${i}`))
    const blsKey = SecretKey.fromScalar(BigInt(keccak256(stringToHex(`${salt}/bls/${i}`))) % 2n ** 200n)
    return {
      ecdsaKey,
      blsKey,
      info: {
        id: i + 1,
        address: privateKeyToAccount(ecdsaKey).address,
        blsPublicKey: blsKey.publicKey.toBytes(),
        votingPower: 1000n,
        active: true,
      },
    }
  })
}

export function directoryOf(operators: readonly TestOperator[]) {
  return createMemoryOperatorDirectory(operators.map((o) => o.info))
}

export const definitions = () => createMemoryTaskDefinitions([DEFINITION_ID])

function g1(sig: { toEvm(): readonly [bigint, bigint] }): G1Point {
  const [x, y] = sig.toEvm()
  return { x, y }
}

export function taskInfoOf(task: WireTask): TaskInfo {
  return {
    proofOfTask: task.proofOfTask,
    data: task.data,
    taskPerformer: task.performer,
    taskDefinitionId: task.definitionId,
  }
}

/** A task signed by its performer with ECDSA over the raw taskHash (the common case). */
export async function makeTask(
  performer: TestOperator,
  fields: { proofOfTask: string; data?: Hex; definitionId?: number },
): Promise<WireTask> {
  const info: TaskInfo = {
    proofOfTask: fields.proofOfTask,
    data: fields.data ?? toHex('price:42'),
    taskPerformer: performer.info.address,
    taskDefinitionId: fields.definitionId ?? DEFINITION_ID,
  }
  const signature = await privateKeyToAccount(performer.ecdsaKey).sign({ hash: taskHash(info) })
  return {
    proofOfTask: info.proofOfTask,
    data: info.data,
    performer: info.taskPerformer,
    definitionId: info.taskDefinitionId,
    signature: { type: 'ecdsa', signature },
  }
}

/** A task whose performer signed with BLS (DOMAIN_TASKS over the taskHash). */
export function makeBlsTask(
  performer: TestOperator,
  fields: { proofOfTask: string; data?: Hex; definitionId?: number },
): WireTask {
  const info: TaskInfo = {
    proofOfTask: fields.proofOfTask,
    data: fields.data ?? toHex('price:42'),
    taskPerformer: performer.info.address,
    taskDefinitionId: fields.definitionId ?? DEFINITION_ID,
  }
  return {
    proofOfTask: info.proofOfTask,
    data: info.data,
    performer: info.taskPerformer,
    definitionId: info.taskDefinitionId,
    signature: { type: 'bls', signature: g1(performer.blsKey.sign(DOMAIN_TASKS, taskHash(info))) },
  }
}

/** `attester`'s BLS vote on `task`, bound to `deployment`. */
export function makeAttestation(
  task: WireTask,
  attester: TestOperator,
  options: { isApproved?: boolean; deployment?: Deployment; signWith?: SecretKey } = {},
): WireAttestation {
  const isApproved = options.isApproved ?? true
  const deployment = options.deployment ?? DEPLOYMENT
  const digest = voteHash(taskInfoOf(task), {
    attestationCenter: deployment.attestationCenter,
    chainId: deployment.chainId,
    isApproved,
  })
  const key = options.signWith ?? attester.blsKey
  return {
    proofOfTask: task.proofOfTask,
    data: task.data,
    performer: { address: task.performer, signature: task.signature },
    attester: { address: attester.info.address, signature: g1(key.sign(DOMAIN_TASKS, digest)) },
    isApproved,
    definitionId: task.definitionId,
  }
}

/** An announcement as Wisp's aggregator makes it: the task named by its taskHash. */
export function makeTaskSubmitted(task: WireTask, operatorIds: number[]): WireTaskSubmitted {
  return {
    taskId: taskHash(taskInfoOf(task)),
    txHash: keccak256(stringToHex(`tx/${task.proofOfTask}`)),
    performerAddress: task.performer as Address,
    operatorIds,
    definitionId: task.definitionId,
    isApproved: true,
  }
}

import {
  encodeAbiParameters,
  type Hex,
  keccak256,
  recoverAddress,
  stringToHex,
  toFunctionSelector,
  toFunctionSignature,
} from 'viem'
import { privateKeyToAddress, sign } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import {
  authChallengeHash,
  authHash,
  DOMAIN_AUTH,
  DOMAIN_TASKS,
  SUBMIT_TASK_BLS_SELECTOR,
  SUBMIT_TASK_ECDSA_SELECTOR,
  submitTaskBlsAbi,
  submitTaskEcdsaAbi,
  type TaskInfo,
  taskHash,
  voteHash,
} from '../src/index.js'
import { expectCode, vectors } from './helpers.js'

const task: TaskInfo = {
  proofOfTask: vectors.task.proofOfTask,
  data: vectors.task.data as Hex,
  taskPerformer: vectors.task.taskPerformer as Hex,
  taskDefinitionId: vectors.task.taskDefinitionId,
}
const privateKey = vectors.keyDerivation[0]!.ecdsaPrivateKey as Hex

describe('domains', () => {
  it('match the vectors and their definitions', () => {
    expect(DOMAIN_TASKS).toBe(vectors.constants.DOMAIN_TASKS)
    expect(DOMAIN_AUTH).toBe(vectors.constants.DOMAIN_AUTH)
    expect(DOMAIN_TASKS).toBe(keccak256(stringToHex('TasksManager')))
    expect(DOMAIN_AUTH).toBe(keccak256(stringToHex('OthenticBLSAuth')))
  })
})

describe('taskHash', () => {
  it('reproduces the vector', () => {
    expect(taskHash(task)).toBe(vectors.task.taskHash)
  })

  it('does not depend on address case or hex case', () => {
    expect(taskHash({ ...task, taskPerformer: task.taskPerformer.toLowerCase() as Hex })).toBe(
      vectors.task.taskHash,
    )
    expect(taskHash({ ...task, data: '0x68656C6C6F' })).toBe(vectors.task.taskHash)
  })

  it('changes with every field', () => {
    const base = taskHash(task)
    expect(taskHash({ ...task, proofOfTask: 'QmTestCid2' })).not.toBe(base)
    expect(taskHash({ ...task, data: '0x68656c6c6e' })).not.toBe(base)
    expect(taskHash({ ...task, taskPerformer: '0x2222222222222222222222222222222222222222' })).not.toBe(base)
    expect(taskHash({ ...task, taskDefinitionId: 1 })).not.toBe(base)
  })

  it('remembers answers without mixing up tasks whose fields shift text between them', () => {
    // the memo's key is the fields' text: moving characters from one field to the next must not collide
    const a: TaskInfo = { ...task, proofOfTask: 'ab', data: '0x' }
    const b: TaskInfo = { ...task, proofOfTask: 'a', data: '0x' }
    const fresh = (t: TaskInfo) =>
      keccak256(
        encodeAbiParameters(
          [{ type: 'string' }, { type: 'bytes' }, { type: 'address' }, { type: 'uint16' }],
          [t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId],
        ),
      )
    for (let round = 0; round < 2; round++) {
      expect(taskHash(a)).toBe(fresh(a))
      expect(taskHash(b)).toBe(fresh(b))
      expect(taskHash(task)).toBe(vectors.task.taskHash)
    }
    // a value that cannot be hashed is refused every time, not remembered as a hash
    expectCode(() => taskHash({ ...task, taskPerformer: '0x12' }), 'INVALID_VALUE')
    expectCode(() => taskHash({ ...task, taskPerformer: '0x12' }), 'INVALID_VALUE')
  })
})

describe('voteHash', () => {
  const vote = {
    attestationCenter: vectors.vote.attestationCenter as Hex,
    chainId: vectors.vote.chainId,
    isApproved: vectors.vote.isApproved,
  }

  it('reproduces the vector (number or bigint chain id)', () => {
    expect(voteHash(task, vote)).toBe(vectors.vote.voteHash)
    expect(voteHash(task, { ...vote, chainId: BigInt(vote.chainId) })).toBe(vectors.vote.voteHash)
  })

  it('binds verdict, contract and chain', () => {
    const base = voteHash(task, vote)
    expect(voteHash(task, { ...vote, isApproved: false })).not.toBe(base)
    expect(voteHash(task, { ...vote, chainId: 1 })).not.toBe(base)
    expect(
      voteHash(task, { ...vote, attestationCenter: '0x3333333333333333333333333333333333333333' }),
    ).not.toBe(base)
  })
})

describe('ECDSA performer signature over the raw taskHash', () => {
  it('the vector key derives the performer address', () => {
    expect(privateKeyToAddress(privateKey)).toBe(vectors.task.taskPerformer)
  })

  it('signing the raw hash gives the vector signature (v = 27/28)', async () => {
    const signature = await sign({ hash: taskHash(task), privateKey, to: 'hex' })
    expect(signature).toBe(vectors.task.ecdsaPerformerSignature)
  })

  it('the vector signature recovers to taskPerformer', async () => {
    const recovered = await recoverAddress({
      hash: vectors.task.taskHash as Hex,
      signature: vectors.task.ecdsaPerformerSignature as Hex,
    })
    expect(recovered).toBe(vectors.task.taskPerformer)
  })
})

describe('submitTask selectors', () => {
  it('come from the two overload signatures with tuple types (docs/protocol.md §3)', () => {
    expect(
      toFunctionSelector('submitTask((string,bytes,address,uint16),(bool,bytes,uint256[2],uint256[]))'),
    ).toBe(vectors.constants.submitTaskEcdsaSelector)
    expect(
      toFunctionSelector('submitTask((string,bytes,address,uint16),(bool,uint256[2],uint256[2],uint256[]))'),
    ).toBe(vectors.constants.submitTaskBlsSelector)
  })

  it('match the exported ABI fragments and constants', () => {
    expect(toFunctionSelector(submitTaskEcdsaAbi)).toBe(SUBMIT_TASK_ECDSA_SELECTOR)
    expect(toFunctionSelector(submitTaskBlsAbi)).toBe(SUBMIT_TASK_BLS_SELECTOR)
    expect(SUBMIT_TASK_ECDSA_SELECTOR).toBe('0xfff768e3')
    expect(SUBMIT_TASK_BLS_SELECTOR).toBe('0x8a7ce8a4')
    expect(toFunctionSignature(submitTaskEcdsaAbi)).toBe(
      'submitTask((string,bytes,address,uint16),(bool,bytes,uint256[2],uint256[]))',
    )
  })
})

describe('authHash and authChallengeHash', () => {
  const operator = vectors.task.taskPerformer as Hex
  const contract = vectors.vote.attestationCenter as Hex

  it('authHash is keccak(abi.encode(operator, contract, chainId)) and binds each part', () => {
    const base = authHash({ operator, contract, chainId: 1 })
    expect(base).toMatch(/^0x[0-9a-f]{64}$/)
    expect(authHash({ operator, contract, chainId: 1n })).toBe(base)
    expect(authHash({ operator, contract, chainId: 2 })).not.toBe(base)
    expect(authHash({ operator: contract, contract: operator, chainId: 1 })).not.toBe(base)
  })

  it('authChallengeHash accepts bytes or hex and binds challenge, operator and peer id', () => {
    const challenge = new Uint8Array(32).fill(7)
    const base = authChallengeHash({ challenge, operator, peerId: '12D3KooWA' })
    expect(authChallengeHash({ challenge: `0x${'07'.repeat(32)}`, operator, peerId: '12D3KooWA' })).toBe(base)
    expect(authChallengeHash({ challenge, operator, peerId: '12D3KooWB' })).not.toBe(base)
    expect(authChallengeHash({ challenge, operator: contract, peerId: '12D3KooWA' })).not.toBe(base)
    expect(
      authChallengeHash({ challenge: new Uint8Array(32).fill(8), operator, peerId: '12D3KooWA' }),
    ).not.toBe(base)
  })
})

describe('bad inputs to the hashes', () => {
  it('become INVALID_VALUE, not viem errors', () => {
    expectCode(() => taskHash({ ...task, taskPerformer: '0x12' }), 'INVALID_VALUE')
    expectCode(() => taskHash({ ...task, taskDefinitionId: 70000 }), 'INVALID_VALUE')
    expectCode(() => taskHash({ ...task, data: 'hello' as Hex }), 'INVALID_VALUE')
    const vote = { attestationCenter: vectors.vote.attestationCenter as Hex, chainId: 1.5, isApproved: true }
    expectCode(() => voteHash(task, vote), 'INVALID_VALUE')
    expectCode(() => authHash({ operator: '0x1', contract: '0x2', chainId: 1 }), 'INVALID_VALUE')
    expectCode(
      () =>
        authChallengeHash({
          challenge: '0xzz',
          operator: vectors.vote.attestationCenter as Hex,
          peerId: 'p',
        }),
      'INVALID_VALUE',
    )
  })
})

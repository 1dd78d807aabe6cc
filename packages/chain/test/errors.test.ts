// Every custom error decodes by name; infrastructure failures get their CHAIN_* code. No chain needed.
import {
  CONTRACT_ERROR_CODES,
  SUBMIT_TASK_BLS_SELECTOR,
  SUBMIT_TASK_ECDSA_SELECTOR,
  WispError,
} from '@wisp/protocol'
import {
  type AbiParameter,
  CallExecutionError,
  ChainMismatchError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeAbiParameters,
  encodeErrorResult,
  type Hex,
  HttpRequestError,
  InsufficientFundsError,
  InternalRpcError,
  RawContractError,
  RpcRequestError,
  TimeoutError,
} from 'viem'
import { foundry } from 'viem/chains'
import { describe, expect, it } from 'vitest'
import { encodeSubmitTask } from '../src/actions/submit.js'
import {
  CHAIN_INFRA_ERROR_CODES,
  ChainError,
  CONTRACT_ERROR_NAMES,
  contractErrorSelector,
  contractErrorsAbi,
  decodeRevert,
  isChainError,
  isChainErrorCode,
  toChainError,
} from '../src/errors.js'

function sample(param: AbiParameter): unknown {
  if (param.type === 'address') return '0x00000000000000000000000000000000000000aa'
  if (param.type === 'bool') return true
  if (param.type.startsWith('bytes')) return `0x${'11'.repeat(32)}`
  if (param.type.startsWith('uint') || param.type.startsWith('int')) return 7n
  throw new Error(`no sample for ${param.type}`)
}

/** Wraps revert data the way viem does for a failed eth_call. */
function callError(data: Hex): Error {
  return new CallExecutionError(new RawContractError({ data }), {})
}

describe('contract errors', () => {
  it('cover every error name of the protocol package', () => {
    for (const code of CONTRACT_ERROR_CODES) expect(CONTRACT_ERROR_NAMES).toContain(code)
    expect(CONTRACT_ERROR_NAMES.length).toBe(new Set(contractErrorsAbi.map((e) => e.name)).size)
  })

  it.each(contractErrorsAbi.map((e) => [e.name, e] as const))(
    '%s decodes by name with its arguments',
    (name, item) => {
      const args = item.inputs.map((p) => sample(p as AbiParameter))
      const data = encodeErrorResult({ abi: [item], errorName: name, args } as Parameters<
        typeof encodeErrorResult
      >[0])
      expect(data.slice(0, 10)).toBe(contractErrorSelector(name))
      for (const wrapped of [
        callError(data),
        new ContractFunctionExecutionError(
          new ContractFunctionRevertedError({ abi: [], data, functionName: 'f' }),
          {
            abi: [],
            functionName: 'f',
          },
        ),
      ]) {
        const error = toChainError(wrapped, { functionName: 'f' })
        expect(error).toBeInstanceOf(ChainError)
        expect(error).toBeInstanceOf(WispError)
        expect(error.code).toBe(name)
        expect(error.isContractError).toBe(true)
        expect(error.details.errorName).toBe(name)
        const norm = (xs: readonly unknown[]) => xs.map((x) => String(x).toLowerCase())
        expect(norm(error.details.args ?? [])).toEqual(norm(args))
        expect(error.details.data).toBe(data)
        expect(error.cause).toBe(wrapped)
        expect(isChainError(error)).toBe(true)
      }
    },
  )
})

describe('other reverts and infrastructure failures', () => {
  it('Error(string), Panic, unknown selectors and empty reverts are CHAIN_REVERTED', () => {
    const reason = encodeErrorResult({
      abi: [{ type: 'error', name: 'Error', inputs: [{ name: 'message', type: 'string' }] }],
      errorName: 'Error',
      args: ['nope'],
    })
    expect(toChainError(callError(reason))).toMatchObject({
      code: 'CHAIN_REVERTED',
      message: expect.stringContaining('nope'),
    })
    const panic = `0x4e487b71${encodeAbiParameters([{ type: 'uint256' }], [0x11n]).slice(2)}` as Hex
    expect(toChainError(callError(panic))).toMatchObject({
      code: 'CHAIN_REVERTED',
      message: expect.stringContaining('Panic'),
    })
    expect(toChainError(callError('0xdeadbeef'))).toMatchObject({
      code: 'CHAIN_REVERTED',
      message: expect.stringContaining('0xdeadbeef'),
    })
    expect(
      toChainError(new CallExecutionError(new RawContractError({ message: 'execution reverted' }), {})).code,
    ).toBe('CHAIN_REVERTED')
    expect(decodeRevert('0xdeadbeef')?.code).toBe('CHAIN_REVERTED')
    // a hook's own error decodes by name when its ABI is given, still as CHAIN_REVERTED (not one of ours)
    const hookAbi = [{ type: 'error', name: 'RefusedByAvsLogic', inputs: [] }] as const
    const hookError = encodeErrorResult({ abi: hookAbi, errorName: 'RefusedByAvsLogic' })
    expect(toChainError(callError(hookError), { abi: hookAbi })).toMatchObject({
      code: 'CHAIN_REVERTED',
      details: { errorName: 'RefusedByAvsLogic' },
    })
  })

  it('maps transport, chain, funds and unknown failures', () => {
    const http = new HttpRequestError({ url: 'http://127.0.0.1:9', details: 'fetch failed' })
    expect(toChainError(http).code).toBe('CHAIN_RPC_FAILED')
    expect(toChainError(new TimeoutError({ body: {}, url: 'http://x' })).code).toBe('CHAIN_RPC_FAILED')
    // the node's own words, not only viem's summary
    const internal = new InternalRpcError(
      new RpcRequestError({
        body: { method: 'eth_estimateGas' },
        error: { code: -32603, message: 'EVM error OutOfGas' },
        url: 'http://x',
      }),
    )
    expect(toChainError(internal, { functionName: 'submitTask' })).toMatchObject({
      code: 'CHAIN_RPC_FAILED',
      message:
        'RPC request failed (submitTask): An internal error was received. (the RPC said: EVM error OutOfGas)',
    })
    expect(toChainError(new ChainMismatchError({ chain: foundry, currentChainId: 1 })).code).toBe(
      'CHAIN_WRONG_CHAIN',
    )
    expect(toChainError(new InsufficientFundsError()).code).toBe('CHAIN_INSUFFICIENT_FUNDS')
    expect(toChainError(new Error('boom')).code).toBe('CHAIN_UNEXPECTED')
    expect(toChainError('a string').code).toBe('CHAIN_UNEXPECTED')
    const already = new ChainError('CHAIN_TIMEOUT', 'slow')
    expect(toChainError(already)).toBe(already)
  })

  it('knows its codes', () => {
    for (const code of [...CHAIN_INFRA_ERROR_CODES, ...CONTRACT_ERROR_NAMES])
      expect(isChainErrorCode(code)).toBe(true)
    expect(isChainErrorCode('NOPE')).toBe(false)
    expect(new ChainError('CHAIN_RPC_FAILED', 'x').isContractError).toBe(false)
  })
})

describe('encodeSubmitTask', () => {
  const center = '0x00000000000000000000000000000000000000cc'
  const task = {
    proofOfTask: 'QmX',
    data: '0x01' as Hex,
    taskPerformer: '0x00000000000000000000000000000000000000aa' as Hex,
    taskDefinitionId: 3,
  }
  const base = { task, isApproved: true, aggregateSignature: [1n, 2n] as const, attesterIds: [1, 2] }

  it('picks the overload from the performer signature', () => {
    const ecdsa = encodeSubmitTask(center, {
      ...base,
      performerSignature: { type: 'ecdsa', signature: `0x${'11'.repeat(65)}` },
    })
    expect(ecdsa).toMatchObject({ overload: 'ecdsa', selector: SUBMIT_TASK_ECDSA_SELECTOR })
    expect(ecdsa.data.slice(0, 10)).toBe('0xfff768e3')
    const bls = encodeSubmitTask(center, {
      ...base,
      performerSignature: { type: 'bls', signature: { x: 3n, y: 4n } },
    })
    expect(bls).toMatchObject({ overload: 'bls', selector: SUBMIT_TASK_BLS_SELECTOR })
    expect(bls.data.slice(0, 10)).toBe('0x8a7ce8a4')
    // {x, y} and [x, y] aggregates encode the same
    const asObject = encodeSubmitTask(center, {
      ...base,
      aggregateSignature: { x: 1n, y: 2n },
      performerSignature: { type: 'bls', signature: { x: 3n, y: 4n } },
    })
    expect(asObject.data).toBe(bls.data)
  })

  it('refuses malformed input with CHAIN_INVALID_INPUT', () => {
    const bad = [
      { ...base, performerSignature: { type: 'rsa', signature: '0x' } },
      { ...base, performerSignature: { type: 'ecdsa', signature: 'zz' } },
      { ...base, performerSignature: { type: 'bls', signature: { x: -1n, y: 0n } } },
      { ...base, attesterIds: [1, -2], performerSignature: { type: 'bls', signature: { x: 1n, y: 2n } } },
      { ...base, aggregateSignature: [1n], performerSignature: { type: 'bls', signature: { x: 1n, y: 2n } } },
      {
        ...base,
        task: { ...task, taskDefinitionId: 70000 },
        performerSignature: { type: 'bls', signature: { x: 1n, y: 2n } },
      },
    ]
    for (const params of bad) {
      let code = 'none'
      try {
        encodeSubmitTask(center, params as never)
      } catch (err) {
        code = (err as ChainError).code
      }
      expect(
        code,
        JSON.stringify(params, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).toBe('CHAIN_INVALID_INPUT')
    }
  })
})

// Gas of submitTask on a real anvil for 1, 4, 16, 64 and 128 attesters, both overloads.
// Run: npm run bench (prints one JSON document on stdout; progress on stderr).
//      npm run bench -- --hardfork prague   (EVM rules of another hardfork; default: anvil's latest)
//
// Operator 1 holds most of the voting power, so every attester set (operators 1..n) passes the ⅔
// threshold of the network total; gas does not depend on the power values. The default task
// definition (id 0: no restricted set, no minimum, no fees) is the main figure; `ecdsaWithRewards`
// uses a definition paying all three roles, measured after a warm-up task so that fee slots are
// already non-zero (steady state).
import { parseEther } from 'viem'
import { startAnvil } from '../src/dev/index.js'
import {
  buildSubmission,
  createDefinition,
  deployNetwork,
  makeTask,
  registerOperators,
  sendData,
} from '../test/support/network.js'

const SIZES = [1, 4, 16, 64, 128] as const
const MAX = Math.max(...SIZES)
const log = (message: string) => process.stderr.write(`${message}\n`)

const hardforkArg = process.argv.indexOf('--hardfork')
const hardfork = hardforkArg > 0 ? process.argv[hardforkArg + 1] : undefined
const anvil = await startAnvil({
  args: ['--gas-limit', '60000000', ...(hardfork ? ['--hardfork', hardfork] : [])],
})
try {
  const net = await deployNetwork(anvil)
  const started = Date.now()
  const stakes = Array.from({ length: MAX }, (_, i) => (i === 0 ? parseEther('1000000') : parseEther('1')))
  const operators = await registerOperators(net, stakes)
  log(`registered ${operators.length} operators in ${Date.now() - started} ms`)
  const performer = operators[0]!
  const aggregator = operators[MAX - 1]!
  const fee = parseEther('0.001')
  const rewarded = await createDefinition(net, {
    baseRewardFeeForAttesters: fee,
    baseRewardFeeForPerformer: fee,
    baseRewardFeeForAggregator: fee,
  })

  async function gasOf(n: number, overload: 'ecdsa' | 'bls', taskDefinitionId = 0) {
    const task = makeTask(performer, taskDefinitionId)
    const data = await buildSubmission(net, task, { performer, signers: operators.slice(0, n), overload })
    const receipt = await sendData(net, data, aggregator.account)
    return { gasUsed: Number(receipt.gasUsed), calldataBytes: (data.length - 2) / 2 }
  }

  await gasOf(MAX, 'ecdsa', rewarded) // warm-up: every fee slot becomes non-zero
  const rows: {
    attesters: number
    ecdsa: number
    bls: number
    ecdsaWithRewards: number
    calldataBytesEcdsa: number
  }[] = []
  for (const n of SIZES) {
    const ecdsa = await gasOf(n, 'ecdsa')
    const bls = await gasOf(n, 'bls')
    const ecdsaWithRewards = await gasOf(n, 'ecdsa', rewarded)
    rows.push({
      attesters: n,
      ecdsa: ecdsa.gasUsed,
      bls: bls.gasUsed,
      ecdsaWithRewards: ecdsaWithRewards.gasUsed,
      calldataBytesEcdsa: ecdsa.calldataBytes,
    })
    log(
      `${n} attesters: ecdsa ${ecdsa.gasUsed}, bls ${bls.gasUsed}, ecdsa+rewards ${ecdsaWithRewards.gasUsed}`,
    )
  }
  // marginal cost of one more attester, between the two largest sizes
  const [last, previous] = [rows[rows.length - 1]!, rows[rows.length - 2]!]
  const perAttester = (key: 'ecdsa' | 'bls') =>
    Math.round((last[key] - previous[key]) / (last.attesters - previous.attesters))
  console.log(
    JSON.stringify(
      {
        benchmark: 'submitTask gas',
        unit: 'gas (receipt gasUsed, includes the 21000 base and calldata)',
        hardfork: hardfork ?? 'anvil default (latest)',
        note: 'modexp (hashToPoint, inversions) costs ~3x more under Osaka (EIP-7883) than under Prague',
        rows,
        marginalPerAttester: { ecdsa: perAttester('ecdsa'), bls: perAttester('bls') },
      },
      null,
      2,
    ),
  )
} finally {
  await anvil.stop()
}

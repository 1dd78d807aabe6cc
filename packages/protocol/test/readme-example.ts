import { decodeTask, encodeTask, type TaskInfo, taskHash, voteHash } from '@wisp/protocol'

const task: TaskInfo = {
  proofOfTask: 'QmTestCid',
  data: '0x68656c6c6f', // "hello"
  taskPerformer: '0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A',
  taskDefinitionId: 0,
}

// What the performer signs (ECDSA over the raw hash, or BLS) and the contract refuses twice.
console.log('taskHash', taskHash(task))
// What attesters BLS-sign: one verdict, one AttestationCenter, one chain.
const vote = {
  attestationCenter: '0x2222222222222222222222222222222222222222',
  chainId: 80002,
  isApproved: true,
} as const
console.log('voteHash', voteHash(task, vote))

// The gossip Task message: encode validates; decode is strict and throws only coded ProtocolErrors.
const bytes = encodeTask({
  proofOfTask: task.proofOfTask,
  data: task.data,
  performer: task.taskPerformer,
  definitionId: task.taskDefinitionId,
  signature: {
    type: 'ecdsa',
    signature:
      '0x24db0e9773d83ab82595ecd71db5f089f8300a36b827f1472e77353a7aa7584f1b9eb3bf7fc9f9ca42ecd638d328427ac13b0c8bafda1f0154bb4b77273025fa1c',
  },
})
console.log('decoded', decodeTask(bytes))

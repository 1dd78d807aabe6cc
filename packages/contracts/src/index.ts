// @wisp/contracts: ABIs (as const) and bytecode of our Othentic-compatible contracts, generated from
// contracts/**/*.sol by scripts/build.ts (solc-js). See README.md for the contract set and roles.
export * from './artifacts/index.js'

/** `submitTask((string,bytes,address,uint16),(bool,bytes,uint256[2],uint256[]))` */
export const SUBMIT_TASK_ECDSA_SELECTOR = '0xfff768e3' as const
/** `submitTask((string,bytes,address,uint16),(bool,uint256[2],uint256[2],uint256[]))` */
export const SUBMIT_TASK_BLS_SELECTOR = '0x8a7ce8a4' as const

/** Role ids (keccak256 of the name) used by AttestationCenter, OperatorRegistry and AvsTreasury. */
export const ROLES = {
  AVS_GOVERNANCE_MULTISIG: '0xf168802601a9e829d99d71858de7f1c6554ef8e2e4908eac50c39345834bdce0',
  EJECTOR: '0x52fb486ecd218b6c964299788bc433c9d9cf4a6218dbf81751236a74d63faedd',
  SLASHER: '0xb6dc46af6200c64c5055754ce63390e8c046183fef4ecfdb465ca1ed5c9c403f',
  PAYMENT_REQUESTS: '0xb7355b18ec5fd18a76248c2846759e0f57d1e9b665d173edb8665b6ece6cc175',
  OBLS_SHARES_SYNCER: '0x009bf7869f456520d5ca361e1964c3a2188bd5767f81de5bb60571ad10a97af7',
  /** held by the AttestationCenter in the OperatorRegistry and the AvsTreasury */
  ATTESTATION_CENTER: '0x1f9350cb15d3cfb2d58b330ba9f0d3e346835f4fddaa2ca8787aa3f155dfb6fa',
} as const

/** Internal task definition ids handled by the AttestationCenter itself. */
export const INTERNAL_TASKS = { VOTING_POWER_SYNC: 10001, TASK_DEFINITION_TOTALS: 10002 } as const

/** Slashing modules, as the `SlashingCondition` enum. */
export const SLASHING_CONDITION = {
  DOUBLE_ATTESTATION: 0,
  INCORRECT_ATTESTATION: 1,
  REJECTED_TASK: 2,
} as const

import { BUNDLED_PLUGINS, OPERATOR_DEFAULTS, parseOperatorConfigText } from '@wisp/operator'

// the one file every runtime reads (Node: wisp attester --config, web: wisp-config.json, edge: WISP_CONFIG)
const config = parseOperatorConfigText(
  JSON.stringify({
    version: 1,
    network: { name: 'my AVS', kind: 'testnet' },
    chain: {
      rpcUrl: 'https://rpc.example.org',
      chainId: 17000,
      attestationCenter: '0x1111111111111111111111111111111111111111',
    },
    p2p: {
      bootstrap: [
        '/dns4/relay.example.org/tcp/443/wss/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
      ],
    },
    plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 2000 } }],
  }),
  'my-avs.json',
)
console.log(config.roles, config.election.windowBlocks === OPERATOR_DEFAULTS.election.windowBlocks)
console.log([...BUNDLED_PLUGINS.keys()])

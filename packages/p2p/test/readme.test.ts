import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toContain('alice published to 1 peer(s); bob got 0x68656c6c6f')
  // gossipsub's own series, in the registry handed to it through the node's metrics
  expect(stdout).toContain('gossipsub_msg_publish_count_total{topic="readme.p2p.custom_message"} 1')
})

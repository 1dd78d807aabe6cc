// The browsers' WebRTC discovery announcements (src/browser/discovery.ts): what a relay forwards
// and a browser acts on. The dialling itself runs in real Chromium in apps/web/test/webrtc.test.ts.
import { describe, expect, it } from 'vitest'
import { parseAnnouncement, webRTCDiscoveryTopic } from '../src/browser/discovery.js'

const RELAY = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe('WebRTC discovery announcements', () => {
  it('accept the relays an announcer holds a reservation on', () => {
    expect(parseAnnouncement(encode({ v: 1, relays: [RELAY] }))).toEqual({ v: 1, relays: [RELAY] })
    expect(webRTCDiscoveryTopic('othentic')).toBe('othentic.wisp-webrtc-peers')
  })

  it('refuse anything else: other versions, no relay, non-peer-id strings, too many, too big, not JSON', () => {
    const refused = [
      encode({ v: 2, relays: [RELAY] }),
      encode({ v: 1, relays: [] }),
      encode({ v: 1, relays: ['/ip4/1.2.3.4/tcp/1/ws'] }),
      encode({ v: 1, relays: [`${RELAY}/p2p-circuit`] }),
      encode({ v: 1, relays: Array(9).fill(RELAY) }),
      encode({ v: 1, relays: [RELAY], pad: 'x'.repeat(600) }),
      encode({ v: 1 }),
      new TextEncoder().encode('{"v":1,"relays":['),
      new Uint8Array(0),
    ]
    for (const data of refused) expect(parseAnnouncement(data)).toBeUndefined()
  })
})

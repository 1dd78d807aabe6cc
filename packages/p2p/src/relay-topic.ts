// The relays' own gossip topic, named here (portable) because every node scores it (services.ts)
// while only relays subscribe to it (node/federation.ts).

/** The relays' own topic: announcements of relays (only relays subscribe). */
export const relayAnnouncementTopic = (namespace: string) => `${namespace}.wisp-relays`

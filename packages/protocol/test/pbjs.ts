import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

/** An independent protobuf implementation (what Othentic's JS nodes use), loaded from our .proto. */
export const pbjsRoot = protobuf.loadSync(
  fileURLToPath(new URL('../src/wire/messages.proto', import.meta.url)),
)

export function pbjsEncode(type: string, value: Record<string, unknown>): Uint8Array {
  const t = pbjsRoot.lookupType(type)
  const err = t.verify(value)
  if (err) throw new Error(err)
  return t.encode(t.fromObject(value)).finish()
}

export function pbjsDecode(type: string, bytes: Uint8Array): Record<string, unknown> {
  const t = pbjsRoot.lookupType(type)
  return t.toObject(t.decode(bytes), { defaults: true, longs: Number, bytes: Array }) as Record<
    string,
    unknown
  >
}

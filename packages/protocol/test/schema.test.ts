import type protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { WIRE_KINDS } from '../src/index.js'
import { type MessageSchema, WIRE_SCHEMAS } from '../src/wire/schema.js'
import { pbjsRoot } from './pbjs.js'

function describeProto(type: protobuf.Type): unknown {
  return Object.fromEntries(
    type.fieldsArray.map((f) => {
      f.resolve()
      const nested =
        f.resolvedType && 'fieldsArray' in f.resolvedType
          ? describeProto(f.resolvedType as protobuf.Type)
          : undefined
      return [
        f.id,
        { name: f.name, type: nested ? 'message' : f.type, repeated: f.repeated || undefined, nested },
      ]
    }),
  )
}

function describeSchema(schema: MessageSchema): unknown {
  return Object.fromEntries(
    Object.entries(schema.fields).map(([id, f]) => [
      Number(id),
      {
        name: f.name,
        type: f.type,
        repeated: f.repeated,
        nested: f.message ? describeSchema(f.message) : undefined,
      },
    ]),
  )
}

describe('the scan schema', () => {
  for (const kind of WIRE_KINDS) {
    it(`${kind} matches messages.proto field for field`, () => {
      const schema = WIRE_SCHEMAS[kind]
      const type = pbjsRoot.lookupType(schema.name)
      expect(describeSchema(schema)).toEqual(describeProto(type))
    })
  }
})

import { MAX_UINT32 } from '../check.js'
import { ProtocolError } from '../codes.js'
import { isValidUtf8 } from '../utf8.js'
import type { FieldSpec, MessageSchema } from './schema.js'
import type { WireKind } from './types.js'

/** What the decoder needs besides protons: values of repeated scalars and packed spans to strip. */
export interface ScanResult {
  /** Values of each repeated scalar field, in wire order, packed and unpacked alike. */
  repeated: Record<string, number[]>
  /** [start, end) byte ranges of packed repeated fields, which protons cannot read. */
  packedRanges: Array<[number, number]>
}

const WIRE_VARINT = 0
const WIRE_FIXED64 = 1
const WIRE_LEN = 2
const WIRE_FIXED32 = 5

/** A protobuf varint is at most 10 bytes (64 bits). */
const MAX_VARINT_BYTES = 10
/** Field numbers are 29-bit (protobuf spec). */
const MAX_FIELD_NUMBER = 2 ** 29 - 1

interface Ctx {
  kind: WireKind
  buf: Uint8Array
}

function malformed(ctx: Ctx, offset: number, reason: string): ProtocolError {
  return new ProtocolError('WIRE_MALFORMED', `malformed ${ctx.kind} message: ${reason} at byte ${offset}`, {
    details: { kind: ctx.kind, offset, reason },
  })
}

function invalidField(ctx: Ctx, field: string, reason: string): ProtocolError {
  return new ProtocolError('WIRE_INVALID_FIELD', `invalid ${ctx.kind}.${field}: ${reason}`, {
    details: { kind: ctx.kind, field, reason },
  })
}

/** Reads a varint; the value is exact below 2^53, which covers every range check made here. */
function readVarint(ctx: Ctx, pos: number, end: number): [value: number, next: number] {
  let value = 0
  let scale = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos >= end) throw malformed(ctx, pos, 'truncated varint')
    const b = ctx.buf[pos++]!
    value += (b & 0x7f) * scale
    if (b < 0x80) {
      if (i === MAX_VARINT_BYTES - 1 && b > 1) throw malformed(ctx, pos - 1, 'varint overflows 64 bits')
      return [value, pos]
    }
    scale *= 128
  }
  throw malformed(ctx, pos, 'varint longer than 10 bytes')
}

function expectedWireType(spec: FieldSpec): number {
  return spec.type === 'uint32' || spec.type === 'bool' ? WIRE_VARINT : WIRE_LEN
}

function checkScalar(ctx: Ctx, path: string, spec: FieldSpec, value: number): void {
  if (spec.type === 'uint32' && value > MAX_UINT32) throw invalidField(ctx, path, 'exceeds uint32')
  // Canonical encoders write 0 or 1; anything else is a different message to other parsers.
  if (spec.type === 'bool' && value > 1) throw invalidField(ctx, path, 'bool is not 0 or 1')
}

/**
 * Walks one message between `start` and `end`, checking what protons does not: every tag and
 * length is in bounds, known fields have their declared wire type, singular fields appear once,
 * strings are UTF-8, uint32/bool values are in range, and no group wire types appear.
 * Unknown fields are skipped (forward compatibility) but must be well-formed.
 */
function walk(
  ctx: Ctx,
  start: number,
  end: number,
  schema: MessageSchema,
  prefix: string,
  out?: ScanResult,
): void {
  const seen = new Set<number>()
  let pos = start
  while (pos < end) {
    const fieldStart = pos
    const [tag, afterTag] = readVarint(ctx, pos, end)
    pos = afterTag
    if (tag > MAX_UINT32) throw malformed(ctx, fieldStart, 'tag exceeds 32 bits')
    const fieldNo = Math.floor(tag / 8)
    const wireType = tag % 8
    if (fieldNo === 0 || fieldNo > MAX_FIELD_NUMBER)
      throw malformed(ctx, fieldStart, `invalid field number ${fieldNo}`)

    let varint = 0
    let payloadStart = pos
    switch (wireType) {
      case WIRE_VARINT:
        ;[varint, pos] = readVarint(ctx, pos, end)
        break
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const size = wireType === WIRE_FIXED64 ? 8 : 4
        if (end - pos < size) throw malformed(ctx, pos, 'truncated fixed-size field')
        pos += size
        break
      }
      case WIRE_LEN: {
        const [len, afterLen] = readVarint(ctx, pos, end)
        if (len > end - afterLen) throw malformed(ctx, afterLen, 'length runs past the end')
        payloadStart = afterLen
        pos = afterLen + len
        break
      }
      default:
        throw malformed(ctx, fieldStart, `unsupported wire type ${wireType}`)
    }

    const spec = schema.fields[fieldNo]
    if (spec === undefined) continue
    const path = `${prefix}${spec.name}`

    if (spec.repeated) {
      const values = out?.repeated[spec.name]
      if (values === undefined || out === undefined)
        throw malformed(ctx, fieldStart, 'repeated field in nested message')
      if (wireType === WIRE_VARINT) {
        checkScalar(ctx, path, spec, varint)
        values.push(varint)
      } else if (wireType === WIRE_LEN) {
        // Packed encoding (proto3's default for repeated scalars): a run of varints.
        let p = payloadStart
        while (p < pos) {
          const [v, next] = readVarint(ctx, p, pos)
          checkScalar(ctx, path, spec, v)
          values.push(v)
          p = next
        }
        out.packedRanges.push([fieldStart, pos])
      } else {
        throw malformed(ctx, fieldStart, `wrong wire type ${wireType} for ${path}`)
      }
      continue
    }

    if (wireType !== expectedWireType(spec))
      throw malformed(ctx, fieldStart, `wrong wire type ${wireType} for ${path}`)
    if (seen.has(fieldNo)) throw malformed(ctx, fieldStart, `duplicate field ${path}`)
    seen.add(fieldNo)

    if (spec.type === 'uint32' || spec.type === 'bool') checkScalar(ctx, path, spec, varint)
    else if (spec.type === 'string' && !isValidUtf8(ctx.buf, payloadStart, pos)) {
      throw invalidField(ctx, path, 'not valid UTF-8')
    } else if (spec.type === 'message' && spec.message !== undefined) {
      walk(ctx, payloadStart, pos, spec.message, `${path}.`)
    }
  }
}

/** Structural validation of a whole message; throws a WIRE_* ProtocolError on the first fault. */
export function scanMessage(kind: WireKind, schema: MessageSchema, buf: Uint8Array): ScanResult {
  const out: ScanResult = { repeated: {}, packedRanges: [] }
  for (const spec of Object.values(schema.fields)) if (spec.repeated) out.repeated[spec.name] = []
  walk({ kind, buf }, 0, buf.length, schema, '', out)
  return out
}

/** `buf` without the given sorted, disjoint ranges. */
export function withoutRanges(buf: Uint8Array, ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  if (ranges.length === 0) return buf
  let removed = 0
  for (const [s, e] of ranges) removed += e - s
  const out = new Uint8Array(buf.length - removed)
  let from = 0
  let to = 0
  for (const [s, e] of ranges) {
    out.set(buf.subarray(from, s), to)
    to += s - from
    from = e
  }
  out.set(buf.subarray(from), to)
  return out
}

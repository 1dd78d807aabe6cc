// Hand-made protobuf bytes, for messages our own encoder refuses to produce.
const utf8 = new TextEncoder()

function varint(n: number): number[] {
  const out: number[] = []
  let v = n
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}

export function stringField(field: number, value: string): number[] {
  const bytes = utf8.encode(value)
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes]
}

export function varintField(field: number, value: number): number[] {
  return [...varint(field << 3), ...varint(value)]
}

export function message(...fields: number[][]): Uint8Array {
  return Uint8Array.from(fields.flat())
}

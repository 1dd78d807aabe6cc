/**
 * Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF). proto3 requires
 * `string` fields to be valid UTF-8 and protons does not check, so invalid bytes would otherwise
 * decode to replacement characters that differ from what the sender hashed.
 * Hand-written because the package targets lib ES2022 without DOM types (no TextDecoder).
 */
export function isValidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let i = start
  while (i < end) {
    const b0 = bytes[i]!
    if (b0 < 0x80) {
      i += 1
      continue
    }
    let need: number
    let min: number
    let cp: number
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1
      min = 0x80
      cp = b0 & 0x1f
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2
      min = 0x800
      cp = b0 & 0x0f
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3
      min = 0x10000
      cp = b0 & 0x07
    } else {
      return false
    }
    // The continuation bytes must all lie before `end`.
    if (i + need >= end) return false
    for (let k = 1; k <= need; k++) {
      const b = bytes[i + k]!
      if ((b & 0xc0) !== 0x80) return false
      cp = (cp << 6) | (b & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false
    i += need + 1
  }
  return true
}

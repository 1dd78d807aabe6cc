// The BN254 (alt_bn128) objects every other module shares, straight from @noble/curves.
import { bn254 } from '@noble/curves/bn254.js'

export const curve = bn254
export const Fp = bn254.fields.Fp
export const Fp2 = bn254.fields.Fp2
export const Fp12 = bn254.fields.Fp12
export const G1Point = bn254.G1.Point
export const G2Point = bn254.G2.Point

export type G1 = InstanceType<typeof G1Point>
export type G2 = InstanceType<typeof G2Point>
export type Fp2Element = ReturnType<typeof Fp2.create>

/** Base field modulus p. */
export const P = Fp.ORDER
/** Group order r (the scalar field). */
export const R = bn254.fields.Fr.ORDER

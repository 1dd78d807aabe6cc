// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title BN254
/// @notice BLS signatures on BN254 (alt_bn128) as used by Othentic-style AttestationCenters:
/// signatures and hashed messages in G1 (`[x, y]`), public keys in G2 (`[x.re, x.im, y.re, y.im]`).
/// hashToPoint is RFC 9380 expand_message_xmd (SHA-256, 96 bytes, DST = the 32 domain bytes) into two
/// field elements, each mapped with the Fouque–Tibouchi map for BN curves, the two points added.
/// G2 keys are added on-chain in Jacobian coordinates over Fp2 = Fp[i]/(i² + 1).
/// Written for this project from the public specification (see packages/contracts/README.md).
library BN254 {
    /// @dev The base field modulus p.
    uint256 internal constant P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    /// @dev The group order r.
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// @dev (p + 1) / 4: a^((p+1)/4) is a square root of a when a is a square (p ≡ 3 mod 4).
    uint256 internal constant SQRT_EXP = 0x0c19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;
    /// @dev (p - 1) / 2: Euler's criterion.
    uint256 internal constant LEGENDRE_EXP = 0x183227397098d014dc2822db40c0ac2ecbc0b548b438e5469e10460b6c3e7ea3;
    /// @dev p - 2: Fermat inversion.
    uint256 internal constant INV_EXP = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45;
    /// @dev 2^256 mod p.
    uint256 internal constant TWO_256_MOD_P = 0x0e0a77c19a07df2f666ea36f7879462c0a78eb28f5c70b3dd35d438dc58f0d9d;
    /// @dev sqrt(-3) mod p.
    uint256 internal constant Z0 = 0x0000000000000000b3c4d79d41a91759a9e4c7e359b6b89eaec68e62effffffd;
    /// @dev (sqrt(-3) - 1) / 2 mod p.
    uint256 internal constant Z1 = 0x000000000000000059e26bcea0d48bacd4f263f1acdb5c4f5763473177fffffe;
    /// @dev The G2 twist coefficient b' = 3 / (9 + i).
    uint256 internal constant B2_RE = 0x2b149d40ceb8aaae81be18991be06ac3b5b4c5e559dbefa33267e6dc24a138e5;
    uint256 internal constant B2_IM = 0x009713b03af0fed4cd2cafadeed8fdf4a74fa084e52d1852e4a2bd0685c315d2;

    /// @dev The standard G2 generator, negated (y → -y), in our [x.re, x.im, y.re, y.im] order.
    uint256 internal constant NEG_G2_X_RE = 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed;
    uint256 internal constant NEG_G2_X_IM = 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2;
    uint256 internal constant NEG_G2_Y_RE = 0x1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d;
    uint256 internal constant NEG_G2_Y_IM = 0x275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec;

    // ------------------------------------------------------------------ field helpers

    /// @dev base^e mod p through the modexp precompile (0x05).
    function expMod(uint256 base, uint256 e) internal view returns (uint256 result) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x20)
            mstore(add(m, 0x20), 0x20)
            mstore(add(m, 0x40), 0x20)
            mstore(add(m, 0x60), base)
            mstore(add(m, 0x80), e)
            mstore(add(m, 0xa0), P)
            if iszero(staticcall(gas(), 0x05, m, 0xc0, m, 0x20)) { revert(0, 0) }
            result := mload(m)
        }
    }

    function inverse(uint256 a) internal view returns (uint256) {
        return expMod(a, INV_EXP);
    }

    /// @dev Euler's criterion; 0 counts as a square (like mcl's legendre >= 0).
    function isSquare(uint256 a) internal view returns (bool) {
        uint256 l = expMod(a, LEGENDRE_EXP);
        return l != P - 1;
    }

    /// @dev (sqrt, true) when a is a square, (garbage, false) otherwise.
    function sqrt(uint256 a) internal view returns (uint256 s, bool ok) {
        s = expMod(a, SQRT_EXP);
        ok = mulmod(s, s, P) == a;
    }

    // ------------------------------------------------------------------ hash to G1

    /// @notice hashToPoint(domain, message) per docs/protocol.md §2. Our callers always hash
    /// `abi.encode(bytes32 digest)`; any message length works.
    function hashToPoint(bytes32 domain, bytes memory message) internal view returns (uint256[2] memory) {
        (uint256 u0, uint256 u1) = hashToField(domain, message);
        uint256[2] memory p0 = mapToPoint(u0);
        uint256[2] memory p1 = mapToPoint(u1);
        return g1Add(p0, p1);
    }

    /// @notice hashToPoint(domain, abi.encode(digest)).
    function hashDigestToPoint(bytes32 domain, bytes32 digest) internal view returns (uint256[2] memory) {
        return hashToPoint(domain, abi.encode(digest));
    }

    /// @dev expand_message_xmd(SHA-256, len 96, DST = domain (32 bytes)), split in two 48-byte
    /// big-endian integers reduced mod p.
    function hashToField(bytes32 domain, bytes memory message) internal pure returns (uint256 u0, uint256 u1) {
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(96), uint8(0), domain, uint8(32)));
        bytes32 b1 = sha256(abi.encodePacked(b0, uint8(1), domain, uint8(32)));
        bytes32 b2 = sha256(abi.encodePacked(b0 ^ b1, uint8(2), domain, uint8(32)));
        bytes32 b3 = sha256(abi.encodePacked(b0 ^ b2, uint8(3), domain, uint8(32)));
        // out[0..48] = b1 ‖ b2[0..16]; out[48..96] = b2[16..32] ‖ b3
        u0 = addmod(mulmod(uint256(b1), 1 << 128, P), uint256(b2) >> 128, P);
        u1 = addmod(mulmod(uint256(b2) & type(uint128).max, TWO_256_MOD_P, P), uint256(b3), P);
    }

    /// @dev Fouque–Tibouchi map for y² = x³ + 3 (mcl BN254 map mode).
    function mapToPoint(uint256 u) internal view returns (uint256[2] memory pt) {
        uint256 a0 = addmod(mulmod(u, u, P), 4, P);
        uint256 a1 = mulmod(u, Z0, P);
        uint256 a2 = inverse(mulmod(a1, a0, P));
        uint256 w = mulmod(mulmod(u, mulmod(a1, a1, P), P), a2, P);
        uint256 x = addmod(Z1, P - w, P);
        (uint256 y, bool ok) = sqrt(addmod(mulmod(mulmod(x, x, P), x, P), 3, P));
        if (!ok) {
            x = addmod(P - addmod(x, 1, P), 0, P);
            (y, ok) = sqrt(addmod(mulmod(mulmod(x, x, P), x, P), 3, P));
            if (!ok) {
                uint256 a0sq = mulmod(a0, a0, P);
                x = addmod(1, mulmod(mulmod(a0sq, a0sq, P), mulmod(a2, a2, P), P), P);
                (y, ok) = sqrt(addmod(mulmod(mulmod(x, x, P), x, P), 3, P));
                // One of the three candidates is always a square (Fouque–Tibouchi).
                require(ok, "BN254: map failed");
            }
        }
        if (!isSquare(u) && y != 0) y = P - y;
        pt[0] = x;
        pt[1] = y;
    }

    // ------------------------------------------------------------------ G1

    function g1Add(uint256[2] memory a, uint256[2] memory b) internal view returns (uint256[2] memory r) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, mload(a))
            mstore(add(m, 0x20), mload(add(a, 0x20)))
            mstore(add(m, 0x40), mload(b))
            mstore(add(m, 0x60), mload(add(b, 0x20)))
            if iszero(staticcall(gas(), 0x06, m, 0x80, r, 0x40)) { revert(0, 0) }
        }
    }

    /// @dev True for an affine point on y² = x³ + 3 with coordinates < p; the point at infinity
    /// ([0, 0]) is not accepted (it is never a valid signature).
    function isOnCurveG1(uint256[2] memory pt) internal pure returns (bool) {
        uint256 x = pt[0];
        uint256 y = pt[1];
        if (x >= P || y >= P) return false;
        if (x == 0 && y == 0) return false;
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    // ------------------------------------------------------------------ G2

    /// @dev True for an affine point [x.re, x.im, y.re, y.im] on the twist y² = x³ + 3/(9+i) with
    /// coordinates < p, infinity excluded. Subgroup membership is enforced by the pairing precompile,
    /// which refuses G2 points outside the order-r subgroup.
    function isOnCurveG2(uint256[4] memory pt) internal pure returns (bool) {
        uint256 xr = pt[0];
        uint256 xi = pt[1];
        uint256 yr = pt[2];
        uint256 yi = pt[3];
        if (xr >= P || xi >= P || yr >= P || yi >= P) return false;
        if ((xr | xi | yr | yi) == 0) return false;
        // y²
        uint256 y2r = mulmod(addmod(yr, yi, P), addmod(yr, P - yi, P), P);
        uint256 y2i = mulmod(2, mulmod(yr, yi, P), P);
        // x²
        uint256 x2r = mulmod(addmod(xr, xi, P), addmod(xr, P - xi, P), P);
        uint256 x2i = mulmod(2, mulmod(xr, xi, P), P);
        // x³ = x² · x
        uint256 x3r = addmod(mulmod(x2r, xr, P), P - mulmod(x2i, xi, P), P);
        uint256 x3i = addmod(mulmod(x2r, xi, P), mulmod(x2i, xr, P), P);
        return y2r == addmod(x3r, B2_RE, P) && y2i == addmod(x3i, B2_IM, P);
    }

    /// @dev A fresh Jacobian accumulator (the point at infinity: Z = 0). Layout (6 words):
    /// X.re, X.im, Y.re, Y.im, Z.re, Z.im.
    function g2Accumulator() internal pure returns (uint256[6] memory acc) {}

    /// @dev acc += q, q affine [x.re, x.im, y.re, y.im] (not infinity, coordinates < p).
    /// Mixed Jacobian–affine addition over Fp2, with the doubling and P + (−P) cases handled.
    function g2AddAffine(uint256[6] memory acc, uint256[4] memory q) internal pure {
        assembly ("memory-safe") {
            // Fp2 helpers on memory pairs: [re, im] at ptr, ptr + 32.
            function f2mul(dst, a, b, pp) {
                let a0 := mload(a)
                let a1 := mload(add(a, 0x20))
                let b0 := mload(b)
                let b1 := mload(add(b, 0x20))
                mstore(dst, addmod(mulmod(a0, b0, pp), sub(pp, mulmod(a1, b1, pp)), pp))
                mstore(add(dst, 0x20), addmod(mulmod(a0, b1, pp), mulmod(a1, b0, pp), pp))
            }
            function f2sqr(dst, a, pp) {
                let a0 := mload(a)
                let a1 := mload(add(a, 0x20))
                mstore(dst, mulmod(addmod(a0, a1, pp), addmod(a0, sub(pp, a1), pp), pp))
                mstore(add(dst, 0x20), mulmod(2, mulmod(a0, a1, pp), pp))
            }
            function f2sub(dst, a, b, pp) {
                let d0 := addmod(mload(a), sub(pp, mload(b)), pp)
                let d1 := addmod(mload(add(a, 0x20)), sub(pp, mload(add(b, 0x20))), pp)
                mstore(dst, d0)
                mstore(add(dst, 0x20), d1)
            }
            function f2add(dst, a, b, pp) {
                let d0 := addmod(mload(a), mload(b), pp)
                let d1 := addmod(mload(add(a, 0x20)), mload(add(b, 0x20)), pp)
                mstore(dst, d0)
                mstore(add(dst, 0x20), d1)
            }
            function f2small(dst, k, a, pp) {
                let d0 := mulmod(k, mload(a), pp)
                let d1 := mulmod(k, mload(add(a, 0x20)), pp)
                mstore(dst, d0)
                mstore(add(dst, 0x20), d1)
            }
            function f2isZero(a) -> z {
                z := iszero(or(mload(a), mload(add(a, 0x20))))
            }
            // Jacobian doubling for a = 0: dbl-2009-l.
            function jdouble(X, Y, Z, t, pp) {
                // t+0x00 A = X², t+0x40 B = Y², t+0x80 C = B², t+0xc0 S, t+0x100 M
                if f2isZero(Y) {
                    mstore(Z, 0)
                    mstore(add(Z, 0x20), 0)
                    leave
                }
                f2sqr(t, X, pp)
                f2sqr(add(t, 0x40), Y, pp)
                f2sqr(add(t, 0x80), add(t, 0x40), pp)
                // S = 4·X·B
                f2mul(add(t, 0xc0), X, add(t, 0x40), pp)
                f2small(add(t, 0xc0), 4, add(t, 0xc0), pp)
                // M = 3·A
                f2small(add(t, 0x100), 3, t, pp)
                // Z3 = 2·Y·Z (before Y changes)
                f2mul(Z, Y, Z, pp)
                f2small(Z, 2, Z, pp)
                // X3 = M² − 2S
                f2sqr(X, add(t, 0x100), pp)
                f2sub(X, X, add(t, 0xc0), pp)
                f2sub(X, X, add(t, 0xc0), pp)
                // Y3 = M·(S − X3) − 8C
                f2sub(Y, add(t, 0xc0), X, pp)
                f2mul(Y, add(t, 0x100), Y, pp)
                f2small(add(t, 0x80), 8, add(t, 0x80), pp)
                f2sub(Y, Y, add(t, 0x80), pp)
            }

            // Mixed addition; acc: X at +0x00, Y at +0x40, Z at +0x80; q: x at +0x00, y at +0x40.
            // Scratch temporaries (t + k·0x40) live beyond the free memory pointer, unallocated:
            // 0 Z1Z1, 1 U2, 2 S2, 3 H, 4 R, 5 HH, 6 HHH, 7 V, 8.. doubling scratch.
            function madd(a, b, t, pp) {
                if f2isZero(add(a, 0x80)) {
                    mstore(a, mload(b))
                    mstore(add(a, 0x20), mload(add(b, 0x20)))
                    mstore(add(a, 0x40), mload(add(b, 0x40)))
                    mstore(add(a, 0x60), mload(add(b, 0x60)))
                    mstore(add(a, 0x80), 1)
                    mstore(add(a, 0xa0), 0)
                    leave
                }
                f2sqr(t, add(a, 0x80), pp)
                f2mul(add(t, 0x40), b, t, pp)
                f2mul(add(t, 0x80), add(b, 0x40), add(a, 0x80), pp)
                f2mul(add(t, 0x80), add(t, 0x80), t, pp)
                f2sub(add(t, 0xc0), add(t, 0x40), a, pp)
                f2sub(add(t, 0x100), add(t, 0x80), add(a, 0x40), pp)
                if f2isZero(add(t, 0xc0)) {
                    switch f2isZero(add(t, 0x100))
                    case 1 { jdouble(a, add(a, 0x40), add(a, 0x80), add(t, 0x200), pp) }
                    default {
                        mstore(add(a, 0x80), 0)
                        mstore(add(a, 0xa0), 0)
                    }
                    leave
                }
                // HH, HHH, V = X1·HH
                f2sqr(add(t, 0x140), add(t, 0xc0), pp)
                f2mul(add(t, 0x180), add(t, 0xc0), add(t, 0x140), pp)
                f2mul(add(t, 0x1c0), a, add(t, 0x140), pp)
                // Z3 = Z1·H
                f2mul(add(a, 0x80), add(a, 0x80), add(t, 0xc0), pp)
                // X3 = R² − HHH − 2V
                f2sqr(a, add(t, 0x100), pp)
                f2sub(a, a, add(t, 0x180), pp)
                f2sub(a, a, add(t, 0x1c0), pp)
                f2sub(a, a, add(t, 0x1c0), pp)
                // Y3 = R·(V − X3) − Y1·HHH
                f2mul(add(t, 0x180), add(a, 0x40), add(t, 0x180), pp)
                f2sub(add(t, 0x1c0), add(t, 0x1c0), a, pp)
                f2mul(add(a, 0x40), add(t, 0x100), add(t, 0x1c0), pp)
                f2sub(add(a, 0x40), add(a, 0x40), add(t, 0x180), pp)
            }
            madd(acc, q, mload(0x40), P)
        }
    }

    /// @dev Converts the Jacobian accumulator to affine [x.re, x.im, y.re, y.im]; infinity gives zeros.
    function g2ToAffine(uint256[6] memory acc) internal view returns (uint256[4] memory out) {
        uint256 zr = acc[4];
        uint256 zi = acc[5];
        if ((zr | zi) == 0) return out;
        // 1/z = conj(z) / (zr² + zi²)
        uint256 n = inverse(addmod(mulmod(zr, zr, P), mulmod(zi, zi, P), P));
        uint256 ir = mulmod(zr, n, P);
        uint256 ii = mulmod(P - zi, n, P);
        // 1/z²
        uint256 i2r = mulmod(addmod(ir, ii, P), addmod(ir, P - ii, P), P);
        uint256 i2i = mulmod(2, mulmod(ir, ii, P), P);
        // 1/z³
        uint256 i3r = addmod(mulmod(i2r, ir, P), P - mulmod(i2i, ii, P), P);
        uint256 i3i = addmod(mulmod(i2r, ii, P), mulmod(i2i, ir, P), P);
        out[0] = addmod(mulmod(acc[0], i2r, P), P - mulmod(acc[1], i2i, P), P);
        out[1] = addmod(mulmod(acc[0], i2i, P), mulmod(acc[1], i2r, P), P);
        out[2] = addmod(mulmod(acc[2], i3r, P), P - mulmod(acc[3], i3i, P), P);
        out[3] = addmod(mulmod(acc[2], i3i, P), mulmod(acc[3], i3r, P), P);
    }

    // ------------------------------------------------------------------ pairing

    /// @notice e(sig, −G2) · e(h, pk) == 1. Returns false (never reverts) on invalid input,
    /// including points off the curve or (G2) outside the subgroup.
    function verify(uint256[2] memory sig, uint256[4] memory pk, uint256[2] memory h) internal view returns (bool ok) {
        if (!isOnCurveG1(sig) || !isOnCurveG1(h)) return false;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, mload(sig))
            mstore(add(m, 0x20), mload(add(sig, 0x20)))
            // the precompile wants [x.im, x.re, y.im, y.re]
            mstore(add(m, 0x40), NEG_G2_X_IM)
            mstore(add(m, 0x60), NEG_G2_X_RE)
            mstore(add(m, 0x80), NEG_G2_Y_IM)
            mstore(add(m, 0xa0), NEG_G2_Y_RE)
            mstore(add(m, 0xc0), mload(h))
            mstore(add(m, 0xe0), mload(add(h, 0x20)))
            mstore(add(m, 0x100), mload(add(pk, 0x20)))
            mstore(add(m, 0x120), mload(pk))
            mstore(add(m, 0x140), mload(add(pk, 0x60)))
            mstore(add(m, 0x160), mload(add(pk, 0x40)))
            let success := staticcall(gas(), 0x08, m, 0x180, m, 0x20)
            ok := and(success, eq(mload(m), 1))
        }
    }
}

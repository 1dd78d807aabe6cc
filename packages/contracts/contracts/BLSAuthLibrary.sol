// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "./BN254.sol";

/// @notice Proof of possession of a BLS key (docs/protocol.md §2):
/// authHash = keccak(abi.encode(operator, contract, chainId)),
/// signed on hashToPoint(DOMAIN_AUTH, abi.encode(authHash)).
library BLSAuthLibrary {
    /// @dev keccak256("OthenticBLSAuth")
    bytes32 internal constant DOMAIN_AUTH = 0x536e32096d745cb431ecc9c1df62d1566bc52bb6b2e3c32cf4666bcae127fc6d;

    struct Signature {
        uint256[2] signature;
    }

    function authHash(address operator, address contractAddress, uint256 chainId) internal pure returns (bytes32) {
        return keccak256(abi.encode(operator, contractAddress, chainId));
    }

    /// @dev True when `sig` proves possession of `blsKey` for (operator, address(this), block.chainid).
    /// Also checks that the key is a valid G2 point (the pairing precompile enforces the subgroup).
    function isValidProof(address operator, uint256[4] memory blsKey, Signature memory sig)
        internal
        view
        returns (bool)
    {
        if (!BN254.isOnCurveG2(blsKey)) return false;
        uint256[2] memory h =
            BN254.hashDigestToPoint(DOMAIN_AUTH, authHash(operator, address(this), block.chainid));
        return BN254.verify(sig.signature, blsKey, h);
    }
}

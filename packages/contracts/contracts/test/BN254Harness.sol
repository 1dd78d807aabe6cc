// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "../BN254.sol";

/// @notice Test-only wrapper exposing the BN254 library.
contract BN254Harness {
    function hashToPoint(bytes32 domain, bytes memory message) external view returns (uint256[2] memory) {
        return BN254.hashToPoint(domain, message);
    }

    function hashToField(bytes32 domain, bytes memory message) external pure returns (uint256, uint256) {
        return BN254.hashToField(domain, message);
    }

    function mapToPoint(uint256 u) external view returns (uint256[2] memory) {
        return BN254.mapToPoint(u);
    }

    function verify(uint256[2] memory sig, uint256[4] memory pk, uint256[2] memory h) external view returns (bool) {
        return BN254.verify(sig, pk, h);
    }

    function aggregate(uint256[4][] memory keys) external view returns (uint256[4] memory) {
        uint256[6] memory acc = BN254.g2Accumulator();
        for (uint256 i = 0; i < keys.length; i++) {
            BN254.g2AddAffine(acc, keys[i]);
        }
        return BN254.g2ToAffine(acc);
    }

    function isOnCurveG2(uint256[4] memory pt) external pure returns (bool) {
        return BN254.isOnCurveG2(pt);
    }

    function isOnCurveG1(uint256[2] memory pt) external pure returns (bool) {
        return BN254.isOnCurveG1(pt);
    }

    /// @dev Whether the pairing precompile accepts the input e(g1, g2) at all (not whether it is 1).
    function pairingAccepts(uint256[2] memory g1, uint256[4] memory g2) external view returns (bool ok) {
        uint256[6] memory input = [g1[0], g1[1], g2[1], g2[0], g2[3], g2[2]];
        assembly {
            ok := staticcall(gas(), 0x08, input, 0xc0, 0x00, 0x20)
        }
    }
}

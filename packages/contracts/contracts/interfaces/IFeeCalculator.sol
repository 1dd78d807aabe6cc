// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttestationCenterTypes} from "./IAttestationCenterTypes.sol";

/// @notice Rewards fee calculator hook (same function signatures as Othentic's). When
/// `isBaseRewardFee()` is true the AttestationCenter uses `calculateBaseRewardFees` in place of the
/// task definition's base fees; otherwise it credits `calculateFeesPerId` as returned.
interface IFeeCalculator {
    struct FeeCalculatorData {
        IAttestationCenterTypes.TaskInfo data;
        uint256 aggregatorId;
        uint256 performerId;
        uint256[] attestersIds;
    }

    struct FeePerId {
        uint256 index;
        uint256 fee;
    }

    function calculateBaseRewardFees(FeeCalculatorData calldata _feeCalculatorData)
        external
        returns (
            uint256 baseRewardFeeForAttesters,
            uint256 baseRewardFeeForAggregator,
            uint256 baseRewardFeeForPerformer
        );

    function calculateFeesPerId(FeeCalculatorData calldata _feeCalculatorData)
        external
        returns (FeePerId[] memory feesPerId);

    function isBaseRewardFee() external pure returns (bool);
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFeeCalculator} from "../interfaces/IFeeCalculator.sol";

/// @notice Test-only fee calculator: fixed base fees, or a fixed fee per attester id.
contract MockFeeCalculator is IFeeCalculator {
    bool public baseMode;
    uint256 public attesterFee;
    uint256 public aggregatorFee;
    uint256 public performerFee;

    constructor(bool baseMode_, uint256 attesterFee_, uint256 aggregatorFee_, uint256 performerFee_) {
        baseMode = baseMode_;
        attesterFee = attesterFee_;
        aggregatorFee = aggregatorFee_;
        performerFee = performerFee_;
    }

    function isBaseRewardFee() external pure returns (bool) {
        return false;
    }

    function calculateBaseRewardFees(FeeCalculatorData calldata) external view returns (uint256, uint256, uint256) {
        return (attesterFee, aggregatorFee, performerFee);
    }

    function calculateFeesPerId(FeeCalculatorData calldata data) external view returns (FeePerId[] memory fees) {
        fees = new FeePerId[](data.attestersIds.length);
        for (uint256 i = 0; i < fees.length; i++) {
            fees[i] = FeePerId(data.attestersIds[i], attesterFee * (i + 1));
        }
    }
}

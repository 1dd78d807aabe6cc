// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFeeCalculator} from "../interfaces/IFeeCalculator.sol";

/// @notice Test-only fee calculator returning fixed base fees (isBaseRewardFee = true).
contract MockBaseFeeCalculator is IFeeCalculator {
    uint256 public immutable attesterFee;
    uint256 public immutable aggregatorFee;
    uint256 public immutable performerFee;

    constructor(uint256 attesterFee_, uint256 aggregatorFee_, uint256 performerFee_) {
        attesterFee = attesterFee_;
        aggregatorFee = aggregatorFee_;
        performerFee = performerFee_;
    }

    function isBaseRewardFee() external pure returns (bool) {
        return true;
    }

    function calculateBaseRewardFees(FeeCalculatorData calldata) external view returns (uint256, uint256, uint256) {
        return (attesterFee, aggregatorFee, performerFee);
    }

    function calculateFeesPerId(FeeCalculatorData calldata) external pure returns (FeePerId[] memory) {}
}

/// @notice Test-only fee calculator crediting attester i (0-based position) with `unit * (i + 1)`.
contract MockPerIdFeeCalculator is IFeeCalculator {
    uint256 public immutable unit;

    constructor(uint256 unit_) {
        unit = unit_;
    }

    function isBaseRewardFee() external pure returns (bool) {
        return false;
    }

    function calculateBaseRewardFees(FeeCalculatorData calldata) external pure returns (uint256, uint256, uint256) {}

    function calculateFeesPerId(FeeCalculatorData calldata data) external view returns (FeePerId[] memory fees) {
        fees = new FeePerId[](data.attestersIds.length);
        for (uint256 i = 0; i < fees.length; i++) {
            fees[i] = FeePerId(data.attestersIds[i], unit * (i + 1));
        }
    }
}

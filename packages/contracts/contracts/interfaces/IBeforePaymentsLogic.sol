// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttestationCenterTypes} from "./IAttestationCenterTypes.sol";

/// @notice Hook called by requestBatchPayment before anything is paid; may revert to refuse.
interface IBeforePaymentsLogic {
    function beforePaymentsRequest(
        IAttestationCenterTypes.PaymentRequestMessage[] calldata _operators,
        uint256 _lastPaidTaskNumber
    ) external;
}

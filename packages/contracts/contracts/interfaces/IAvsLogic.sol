// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttestationCenterTypes} from "./IAttestationCenterTypes.sol";

/// @notice Task-submission hooks called by the AttestationCenter (same function signatures as
/// Othentic's AVS logic hook). For BLS performer signatures `_tpSignature` is `abi.encode(uint256[2])`.
interface IAvsLogic {
    function afterTaskSubmission(
        IAttestationCenterTypes.TaskInfo calldata _taskInfo,
        bool _isApproved,
        bytes calldata _tpSignature,
        uint256[2] calldata _taSignature,
        uint256[] calldata _attestersIds
    ) external;

    function beforeTaskSubmission(
        IAttestationCenterTypes.TaskInfo calldata _taskInfo,
        bool _isApproved,
        bytes calldata _tpSignature,
        uint256[2] calldata _taSignature,
        uint256[] calldata _attestersIds
    ) external;
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAvsLogic} from "../interfaces/IAvsLogic.sol";
import {IAttestationCenterTypes} from "../interfaces/IAttestationCenterTypes.sol";

/// @notice Test-only AVS logic hook: counts calls, remembers the last task, can refuse submissions.
contract MockAvsLogic is IAvsLogic {
    uint256 public beforeCalls;
    uint256 public afterCalls;
    bool public lastIsApproved;
    bytes32 public lastTaskHash;
    bytes public lastTpSignature;
    uint256 public lastAttesterCount;
    bool public refuse;

    error RefusedByAvsLogic();

    function setRefuse(bool refuse_) external {
        refuse = refuse_;
    }

    function beforeTaskSubmission(
        IAttestationCenterTypes.TaskInfo calldata,
        bool,
        bytes calldata,
        uint256[2] calldata,
        uint256[] calldata
    ) external {
        if (refuse) revert RefusedByAvsLogic();
        beforeCalls++;
    }

    function afterTaskSubmission(
        IAttestationCenterTypes.TaskInfo calldata t,
        bool isApproved,
        bytes calldata tpSignature,
        uint256[2] calldata,
        uint256[] calldata attestersIds
    ) external {
        afterCalls++;
        lastIsApproved = isApproved;
        lastTaskHash = keccak256(abi.encode(t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId));
        lastTpSignature = tpSignature;
        lastAttesterCount = attestersIds.length;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "./BN254.sol";
import {BLSAuthLibrary} from "./BLSAuthLibrary.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";
import {AvsTreasury} from "./AvsTreasury.sol";
import {AttestationCenterStorage} from "./AttestationCenterStorage.sol";
import {AttestationCenterExtension} from "./AttestationCenterExtension.sol";
import {IAvsLogic} from "./interfaces/IAvsLogic.sol";
import {IFeeCalculator} from "./interfaces/IFeeCalculator.sol";
import {IBeforePaymentsLogic} from "./interfaces/IBeforePaymentsLogic.sol";

/// @title AttestationCenter
/// @notice Verifies tasks signed by a performer and attested by a BLS aggregate of operators, with the
/// ABI and rules of Othentic's AttestationCenter (docs/protocol.md §3): both submitTask overloads, task
/// definitions, rewards per role and batch payments, slashing modules with a challenger reward, custom
/// slashing, ejection, hooks. Operators, keys and voting power live in the OperatorRegistry (`obls()`).
/// @dev Administration, rewards, slashing and most views live in AttestationCenterExtension, deployed by
/// this constructor and reached through `fallback` (delegatecall): one address, one ABI
/// (`attestationCenterAbi` in the TypeScript artifacts is the union of both).
contract AttestationCenter is AttestationCenterStorage {
    /// @notice The extension contract that serves every function not defined here.
    address public immutable EXTENSION_IMPLEMENTATION;

    constructor(address governance, OperatorRegistry registry_, AvsTreasury treasury_)
        AttestationCenterStorage(governance, registry_, treasury_)
    {
        EXTENSION_IMPLEMENTATION = address(new AttestationCenterExtension(registry_, treasury_));
        _taskDefinitions[0].name = "default";
        emit TaskDefinitionCreated(0, "default", TaskDefinitionParams(0, 0, 0, 0, 0, 0, new uint256[](0)));
    }

    fallback() external {
        address extension = EXTENSION_IMPLEMENTATION;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), extension, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    // ================================================================== submitTask

    /// @notice Selector 0xfff768e3: performer signed the raw taskHash with ECDSA.
    function submitTask(TaskInfo calldata _taskInfo, EcdsaTaskSubmissionDetails calldata _details) external {
        _beforeSubmission(
            _taskInfo, _details.isApproved, _details.tpSignature, _details.taSignature, _details.attestersIds
        );
        bytes32 hash = _taskHash(_taskInfo);
        if (_tasks[hash].status != TaskStatus.NONE) revert MessageAlreadySigned();
        if (!_isValidEcdsa(hash, _details.tpSignature, _taskInfo.taskPerformer)) revert InvalidPerformerSignature();
        _submit(_taskInfo, hash, _details.isApproved, _details.taSignature, _details.attestersIds);
        if (address(avsLogic) != address(0)) {
            avsLogic.afterTaskSubmission(
                _taskInfo, _details.isApproved, _details.tpSignature, _details.taSignature, _details.attestersIds
            );
        }
    }

    /// @notice Selector 0x8a7ce8a4: performer signed hashToPoint(DOMAIN_TASKS, taskHash) with its BLS key.
    function submitTask(TaskInfo calldata _taskInfo, BlsTaskSubmissionDetails calldata _details) external {
        bytes memory tpSignature = abi.encode(_details.tpSignature);
        _beforeSubmission(_taskInfo, _details.isApproved, tpSignature, _details.taSignature, _details.attestersIds);
        bytes32 hash = _taskHash(_taskInfo);
        if (_tasks[hash].status != TaskStatus.NONE) revert MessageAlreadySigned();
        if (!_isValidPerformerBls(hash, _details.tpSignature, _taskInfo.taskPerformer)) {
            revert InvalidPerformerSignature();
        }
        _submit(_taskInfo, hash, _details.isApproved, _details.taSignature, _details.attestersIds);
        if (address(avsLogic) != address(0)) {
            avsLogic.afterTaskSubmission(
                _taskInfo, _details.isApproved, tpSignature, _details.taSignature, _details.attestersIds
            );
        }
    }

    function _beforeSubmission(
        TaskInfo calldata _taskInfo,
        bool _isApproved,
        bytes memory _tpSignature,
        uint256[2] calldata _taSignature,
        uint256[] calldata _attestersIds
    ) internal {
        if (paused) revert TaskSubmissionPaused();
        if (address(avsLogic) != address(0)) {
            avsLogic.beforeTaskSubmission(_taskInfo, _isApproved, _tpSignature, _taSignature, _attestersIds);
        }
    }

    /// @dev Steps 4–8 of docs/protocol.md §3.
    function _submit(
        TaskInfo calldata _taskInfo,
        bytes32 _hash,
        bool _isApproved,
        uint256[2] calldata _taSignature,
        uint256[] calldata _attestersIds
    ) internal {
        _verifyAttestation(_taskInfo, _isApproved, _taSignature, _attestersIds);
        // 8. performer and aggregator
        (uint256 performerId, bool performerActive,) = _registry.operatorStatus(_taskInfo.taskPerformer);
        if (!performerActive) revert InactiveTaskPerformer();
        (uint256 aggregatorId, bool aggregatorActive,) = _registry.operatorStatus(msg.sender);
        if (!aggregatorActive && !isOpenAggregator) revert InactiveAggregator();
        _record(_taskInfo, _hash, _isApproved, _attestersIds);
        uint16 defId = _taskInfo.taskDefinitionId;
        if (defId < VOTING_POWER_SYNC_TASK) {
            _accrueRewards(_taskInfo, _isApproved, _attestersIds, performerId, aggregatorId);
        } else if (_isApproved) {
            _runInternalTask(defId, _taskInfo.data);
        }
    }

    /// @dev Steps 4–7: vote message, task definition, attesters, threshold, one pairing.
    function _verifyAttestation(
        TaskInfo calldata _taskInfo,
        bool _isApproved,
        uint256[2] calldata _taSignature,
        uint256[] calldata _attestersIds
    ) internal view {
        uint16 defId = _taskInfo.taskDefinitionId;
        uint256[2] memory message = _voteMessage(_taskInfo, _isApproved);
        (uint256 minimumVotingPower, bool useDefinitionTotal) = _checkTaskDefinition(defId, _attestersIds);
        if (_attestersIds.length == 0) revert InvalidAttesterSet();
        (uint256[4] memory aggregateKey, uint256 signedPower) =
            _registry.aggregateAttesters(_attestersIds, minimumVotingPower);
        uint256 total = useDefinitionTotal ? taskDefinitionVotingPower[defId] : _registry.totalVotingPower();
        if (total == 0) revert InvalidRequiredVotingPower();
        if (signedPower < (_isApproved ? total * 2 / 3 : total / 3)) revert InsufficientVotingPower();
        if (!BN254.verify(_taSignature, aggregateKey, message)) revert InvalidOBLSSignature();
    }

    function _record(TaskInfo calldata _taskInfo, bytes32 _hash, bool _isApproved, uint256[] calldata _attestersIds)
        internal
    {
        uint32 number = taskNumber;
        uint16 defId = _taskInfo.taskDefinitionId;
        // `operator` is the task performer (as Othentic emits it), not the aggregator (msg.sender)
        if (_isApproved) {
            emit TaskSubmitted(
                _taskInfo.taskPerformer, number, _taskInfo.proofOfTask, _taskInfo.data, defId, _attestersIds
            );
        } else {
            emit TaskRejected(
                _taskInfo.taskPerformer, number, _taskInfo.proofOfTask, _taskInfo.data, defId, _attestersIds
            );
        }
        _tasks[_hash] =
            TaskRecord(_isApproved ? TaskStatus.APPROVED : TaskStatus.REJECTED, uint64(block.number), number);
        taskNumber = number + 1;
    }

    function _checkTaskDefinition(uint16 _defId, uint256[] calldata _attestersIds)
        internal
        view
        returns (uint256 minimumVotingPower, bool useDefinitionTotal)
    {
        if (_defId >= VOTING_POWER_SYNC_TASK) {
            if (_defId > TASK_DEFINITION_TOTALS_TASK) revert TaskDefinitionNotFound(_defId);
            return (0, false);
        }
        if (_defId > numOfTaskDefinitions) revert TaskDefinitionNotFound(_defId);
        TaskDefinition storage def = _taskDefinitions[_defId];
        uint256 expiry = def.blockExpiry;
        if (expiry != 0 && block.number > expiry) revert InvalidTaskDefinition();
        uint256 restricted = def.restrictedAttesterIds.length;
        if (restricted > 0) {
            for (uint256 i = 0; i < _attestersIds.length; i++) {
                if (!_isRestrictedAttester[_defId][_attestersIds[i]]) {
                    revert InvalidRestrictedAttester(_defId, _attestersIds[i]);
                }
            }
        }
        uint256 maximum = def.maximumNumberOfAttesters;
        if (maximum != 0 && _attestersIds.length > maximum) revert InvalidMaximumNumberOfAttesters();
        minimumVotingPower = def.minimumVotingPower;
        useDefinitionTotal = restricted > 0 || minimumVotingPower > 0;
    }

    function _accrueRewards(
        TaskInfo calldata _taskInfo,
        bool _isApproved,
        uint256[] calldata _attestersIds,
        uint256 _performerId,
        uint256 _aggregatorId
    ) internal {
        TaskDefinition storage def = _taskDefinitions[_taskInfo.taskDefinitionId];
        uint256 attesterFee = def.baseRewardFeeForAttesters;
        uint256 performerFee = def.baseRewardFeeForPerformer;
        uint256 aggregatorFee = def.baseRewardFeeForAggregator;
        if (address(feeCalculator) != address(0)) {
            IFeeCalculator.FeeCalculatorData memory data =
                IFeeCalculator.FeeCalculatorData(_taskInfo, _aggregatorId, _performerId, _attestersIds);
            if (feeCalculator.isBaseRewardFee()) {
                (attesterFee, aggregatorFee, performerFee) = feeCalculator.calculateBaseRewardFees(data);
            } else {
                IFeeCalculator.FeePerId[] memory fees = feeCalculator.calculateFeesPerId(data);
                for (uint256 i = 0; i < fees.length; i++) {
                    if (fees[i].index != 0) _feeToClaim[fees[i].index] += fees[i].fee;
                }
                return;
            }
        }
        if (attesterFee != 0) {
            for (uint256 i = 0; i < _attestersIds.length; i++) {
                _feeToClaim[_attestersIds[i]] += attesterFee;
            }
        }
        // a rejected task earns its performer nothing
        if (performerFee != 0 && _isApproved && _performerId != 0) _feeToClaim[_performerId] += performerFee;
        if (aggregatorFee != 0 && _aggregatorId != 0) _feeToClaim[_aggregatorId] += aggregatorFee;
    }

    function _runInternalTask(uint16 _defId, bytes calldata _data) internal {
        if (_defId == VOTING_POWER_SYNC_TASK) {
            _registry.syncVotingPower(abi.decode(_data, (uint256[])));
        } else {
            uint16[] memory ids = abi.decode(_data, (uint16[]));
            for (uint256 i = 0; i < ids.length; i++) {
                _refreshTaskDefinitionVotingPower(ids[i]);
            }
        }
    }



    /// @dev ECDSA over the raw hash (no EIP-191 prefix); v may be 27/28 or 0/1; high-s refused.
    function _isValidEcdsa(bytes32 _hash, bytes calldata _sig, address _signer) internal pure returns (bool) {
        if (_sig.length != 65 || _signer == address(0)) return false;
        bytes32 r = bytes32(_sig[0:32]);
        bytes32 s = bytes32(_sig[32:64]);
        uint8 v = uint8(_sig[64]);
        if (v < 27) v += 27;
        if (uint256(s) > 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0) return false;
        return ecrecover(_hash, v, r, s) == _signer;
    }

    function _isValidPerformerBls(bytes32 _hash, uint256[2] calldata _sig, address _performer)
        internal
        view
        returns (bool)
    {
        uint256 performerId = _registry.operatorsIdsByAddress(_performer);
        if (performerId == 0) return false;
        return BN254.verify(_sig, _registry.getBlsKey(performerId), BN254.hashDigestToPoint(DOMAIN_TASKS, _hash));
    }

    // ================================================================== task definition totals

    /// @notice Recomputes the definition's eligible voting-power snapshot (permissionless).
    function refreshTaskDefinitionVotingPower(uint16 _taskDefinitionId) external {
        _refreshTaskDefinitionVotingPower(_taskDefinitionId);
    }

    // ================================================================== hooks and switches

    function setAvsLogic(IAvsLogic _avsLogic) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        avsLogic = _avsLogic;
        emit AvsLogicSet(address(_avsLogic));
    }

    function setFeeCalculator(IFeeCalculator _feeCalculator) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        feeCalculator = _feeCalculator;
        emit FeeCalculatorSet(address(_feeCalculator));
    }

    function setBeforePaymentsLogic(IBeforePaymentsLogic _logic) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        beforePaymentsLogic = _logic;
        emit BeforePaymentsLogicSet(address(_logic));
    }

    /// @notice Pauses / resumes task submission.
    function setPaused(bool _paused) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        paused = _paused;
        emit PausedSet(_paused);
    }

    /// @notice When on, any address may aggregate (submit); otherwise only active operators.
    function setIsOpenAggregator(bool _isOpenAggregator) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        isOpenAggregator = _isOpenAggregator;
        emit IsOpenAggregatorSet(_isOpenAggregator);
    }

    // ================================================================== operators

    /// @notice Replaces msg.sender's BLS key; the proof of possession is bound to this contract.
    function updateBlsKey(uint256[4] calldata _blsKey, BLSAuthLibrary.Signature calldata _authSignature) external {
        if (!BLSAuthLibrary.isValidProof(msg.sender, _blsKey, _authSignature)) revert InvalidBLSAuthSignature();
        _registry.setBlsKey(msg.sender, _blsKey);
    }

    function ejectOperatorFromNetwork(address _operator) external onlyRole(EJECTOR) {
        _registry.ejectOperator(_operator);
        emit OperatorEjectedFromNetwork(_operator, msg.sender);
    }

    // ================================================================== views

    function obls() external view returns (address) {
        return address(_registry);
    }

    function avsTreasury() external view returns (address) {
        return address(_treasury);
    }

    /// @notice Internal tasks (10001, 10002) are handled by this contract itself.
    function internalTaskHandler() external view returns (address) {
        return address(this);
    }
}

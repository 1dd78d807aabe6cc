// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "./BN254.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";
import {AvsTreasury} from "./AvsTreasury.sol";
import {AttestationCenterStorage} from "./AttestationCenterStorage.sol";

/// @title AttestationCenterExtension
/// @notice Task-definition administration, roles, rewards payment, slashing and views of the
/// AttestationCenter. Runs only through the AttestationCenter's fallback (delegatecall), on its storage;
/// called directly it sees its own empty storage and holds no rights in the registry or treasury.
contract AttestationCenterExtension is AttestationCenterStorage {
    constructor(OperatorRegistry registry_, AvsTreasury treasury_)
        AttestationCenterStorage(msg.sender, registry_, treasury_)
    {}

    // ================================================================== task definitions

    function createNewTaskDefinition(string calldata _name, TaskDefinitionParams calldata _params)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
        returns (uint16 id)
    {
        id = numOfTaskDefinitions + 1;
        if (id >= VOTING_POWER_SYNC_TASK) revert InvalidTaskDefinition();
        numOfTaskDefinitions = id;
        TaskDefinition storage def = _taskDefinitions[id];
        def.taskDefinitionId = id;
        def.name = _name;
        def.blockExpiry = _params.blockExpiry == type(uint256).max ? 0 : _params.blockExpiry;
        def.baseRewardFeeForAttesters = _params.baseRewardFeeForAttesters;
        def.baseRewardFeeForPerformer = _params.baseRewardFeeForPerformer;
        def.baseRewardFeeForAggregator = _params.baseRewardFeeForAggregator;
        def.disputePeriodBlocks = _params.disputePeriodBlocks;
        def.minimumVotingPower = _params.minimumVotingPower;
        _setRestricted(id, _params.restrictedOperatorIndexes);
        emit TaskDefinitionCreated(id, _name, _params);
        _refreshTaskDefinitionVotingPower(id);
    }

    function setTaskDefinitionMinVotingPower(uint16 _taskDefinitionId, uint256 _minimumVotingPower)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _definition(_taskDefinitionId).minimumVotingPower = _minimumVotingPower;
        emit TaskDefinitionMinimumVotingPowerSet(_taskDefinitionId, _minimumVotingPower);
        _refreshTaskDefinitionVotingPower(_taskDefinitionId);
    }

    function setTaskDefinitionRestrictedOperators(
        uint16 _taskDefinitionId,
        uint256[] calldata _restrictedOperatorIndexes
    )
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        TaskDefinition storage def = _definition(_taskDefinitionId);
        uint256 maximum = def.maximumNumberOfAttesters;
        uint256 n = _restrictedOperatorIndexes.length;
        if (n > 0 && maximum > n) revert InvalidMaximumNumberOfAttesters();
        uint256[] storage old = def.restrictedAttesterIds;
        for (uint256 i = 0; i < old.length; i++) {
            delete _isRestrictedAttester[_taskDefinitionId][old[i]];
        }
        delete def.restrictedAttesterIds;
        _setRestricted(_taskDefinitionId, _restrictedOperatorIndexes);
        emit TaskDefinitionRestrictedOperatorsSet(_taskDefinitionId, _restrictedOperatorIndexes);
        _refreshTaskDefinitionVotingPower(_taskDefinitionId);
    }

    /// @notice 0 = no maximum. Cannot exceed the size of a restricted set.
    function setTaskDefinitionMaximumNumberOfAttesters(uint16 _taskDefinitionId, uint256 _maximumNumberOfAttesters)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        TaskDefinition storage def = _definition(_taskDefinitionId);
        uint256 restricted = def.restrictedAttesterIds.length;
        if (restricted > 0 && _maximumNumberOfAttesters > restricted) revert InvalidMaximumNumberOfAttesters();
        def.maximumNumberOfAttesters = _maximumNumberOfAttesters;
        emit SetMaximumNumberOfAttesters(_taskDefinitionId, _maximumNumberOfAttesters);
    }

    /// @notice Last block at which tasks of this definition are accepted; 0 or type(uint256).max = never expires.
    function setTaskDefinitionBlockExpiry(uint16 _taskDefinitionId, uint256 _blockExpiry)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _definition(_taskDefinitionId).blockExpiry = _blockExpiry == type(uint256).max ? 0 : _blockExpiry;
        emit TaskDefinitionBlockExpirySet(_taskDefinitionId, _blockExpiry);
    }



    function _setRestricted(uint16 _id, uint256[] calldata _ids) internal {
        TaskDefinition storage def = _taskDefinitions[_id];
        for (uint256 i = 0; i < _ids.length; i++) {
            uint256 operatorId = _ids[i];
            if (operatorId == 0 || _isRestrictedAttester[_id][operatorId]) revert InvalidAttesterSet();
            _isRestrictedAttester[_id][operatorId] = true;
            def.restrictedAttesterIds.push(operatorId);
        }
    }


    // ================================================================== roles

    function setEjector(address _ejector) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _grantRole(EJECTOR, _ejector);
    }

    function revokeEjector(address _ejector) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _revokeRole(EJECTOR, _ejector);
    }

    function setSlasher(address _slasher) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _grantRole(SLASHER, _slasher);
    }

    function revokeSlasher(address _slasher) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _revokeRole(SLASHER, _slasher);
    }

    function setPaymentRequestsRole(address _newPaymentRequestsAdmin) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _grantRole(PAYMENT_REQUESTS, _newPaymentRequestsAdmin);
    }

    /// @notice Kept for ABI compatibility. In this one-chain deployment voting power is read live from
    /// the registry; the syncer role is informational (syncs and refreshes are permissionless).
    function setOblsSharesSyncer(address _oblsSharesSyncer) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _grantRole(OBLS_SHARES_SYNCER, _oblsSharesSyncer);
    }

    // ================================================================== rewards

    /// @notice Pays every operator's accrued fee (ids 1..numOfTotalOperators) from the AVS treasury.
    function requestBatchPayment(SubmissionType _submissionType, bytes calldata _distributionData)
        external
        onlyGovernanceOr(PAYMENT_REQUESTS)
    {
        uint256 n = _registry.numOfTotalOperators();
        if (n == 0) revert InvalidRangeForBatchPaymentRequest();
        _requestBatchPayment(1, n, _submissionType, _distributionData);
    }

    /// @notice Pays the accrued fees of operators `_from`..`_to` (inclusive).
    function requestBatchPayment(
        uint256 _from,
        uint256 _to,
        SubmissionType _submissionType,
        bytes calldata _distributionData
    ) external onlyGovernanceOr(PAYMENT_REQUESTS) {
        if (_from == 0 || _from > _to || _to > _registry.numOfTotalOperators()) {
            revert InvalidRangeForBatchPaymentRequest();
        }
        _requestBatchPayment(_from, _to, _submissionType, _distributionData);
    }

    function _requestBatchPayment(
        uint256 _from,
        uint256 _to,
        SubmissionType _submissionType,
        bytes calldata _distributionData
    ) internal {
        uint256 count = 0;
        for (uint256 id = _from; id <= _to; id++) {
            if (_feeToClaim[id] != 0) count++;
        }
        PaymentRequestMessage[] memory messages = new PaymentRequestMessage[](count);
        uint256[] memory ids = new uint256[](count);
        uint256 k = 0;
        for (uint256 id = _from; id <= _to; id++) {
            uint256 fee = _feeToClaim[id];
            if (fee == 0) continue;
            messages[k] = PaymentRequestMessage(_registry.getOperatorAccount(id), fee);
            ids[k++] = id;
        }
        uint32 lastPaid = taskNumber;
        if (address(beforePaymentsLogic) != address(0)) {
            beforePaymentsLogic.beforePaymentsRequest(messages, lastPaid);
        }
        uint256 totalPaid = 0;
        for (uint256 i = 0; i < count; i++) {
            uint256 id = ids[i];
            _feeToClaim[id] = 0;
            _lastPaidTaskNumber[id] = lastPaid;
            totalPaid += messages[i].feeToClaim;
            _treasury.pay(messages[i].operator, messages[i].feeToClaim);
            emit PaymentRequested(id, messages[i].operator, messages[i].feeToClaim);
        }
        emit PaymentsRequested(_from, _to, totalPaid, lastPaid, _submissionType, _distributionData);
    }

    // ================================================================== slashing

    function setSlashingConfig(SlashingCondition _condition, SlashingConfig calldata _config)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        if (_config.stakePercentageBps > 10_000) revert InvalidSlashingPercentage();
        _slashingConfigs[_condition] = _config;
        emit SlashingConfigSet(_condition, _config);
    }

    function setIsRejectedTaskSlashingEnabled(uint16 _taskDefinitionId, bool _enabled)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _definition(_taskDefinitionId);
        isRejectedTaskSlashingEnabled[_taskDefinitionId] = _enabled;
        emit RejectedTaskSlashingEnabledSet(_taskDefinitionId, _enabled);
    }

    function setIsIncorrectAttestationSlashingEnabled(uint16 _taskDefinitionId, bool _enabled)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _definition(_taskDefinitionId);
        isIncorrectAttestationSlashingEnabled[_taskDefinitionId] = _enabled;
        emit IncorrectAttestationSlashingEnabledSet(_taskDefinitionId, _enabled);
    }

    /// @notice Paid from the AVS treasury to whoever proves a slashable offence.
    function setChallengerRewardFee(uint256 _challengerRewardFee) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        challengerRewardFee = _challengerRewardFee;
        emit ChallengerRewardFeeSet(_challengerRewardFee);
    }

    /// @notice Proof: the operator's BLS votes for both verdicts of one task. Applies to every task
    /// definition when the DOUBLE_ATTESTATION module is enabled; the task need not be submitted.
    function slashOperatorForDoubleAttestation(
        DoubleAttestationSlashingDetails calldata _details,
        TaskInfo calldata _taskInfo
    ) external {
        SlashingConfig memory config = _slashingConfigs[SlashingCondition.DOUBLE_ATTESTATION];
        if (!config.enabled) revert SlashingNotEnabled();
        (uint256 operatorId, uint256[4] memory key) = _registeredKey(_details.operator);
        if (
            !BN254.verify(_details.trueBlsSignature, key, _voteMessage(_taskInfo, true))
                || !BN254.verify(_details.falseBlsSignature, key, _voteMessage(_taskInfo, false))
        ) revert InvalidSlashingProof();
        _slash(SlashingCondition.DOUBLE_ATTESTATION, config, operatorId, _details.operator, _taskHash(_taskInfo));
    }

    /// @notice Proof: the operator's BLS vote against the verdict recorded for a submitted task,
    /// plus the consensus aggregate (`taSignature` by `attesterIds`) for that verdict.
    function slashOperatorForIncorrectAttestation(
        IncorrectAttestationSlashingDetails calldata _details,
        TaskInfo calldata _taskInfo
    ) external {
        SlashingConfig memory config = _slashingConfigs[SlashingCondition.INCORRECT_ATTESTATION];
        uint16 defId = _taskInfo.taskDefinitionId;
        if (!config.enabled || !isIncorrectAttestationSlashingEnabled[defId]) revert SlashingNotEnabled();
        bytes32 hash = _taskHash(_taskInfo);
        TaskRecord memory record = _submittedTask(hash, defId);
        bool approved = record.status == TaskStatus.APPROVED;
        if (_details.isApproved != approved || _details.attesterIds.length == 0) revert InvalidSlashingProof();
        uint256[4] memory consensusKey = _registry.aggregateBlsKeys(_details.attesterIds);
        if (!BN254.verify(_details.taSignature, consensusKey, _voteMessage(_taskInfo, approved))) {
            revert InvalidSlashingProof();
        }
        (uint256 operatorId, uint256[4] memory key) = _registeredKey(_details.operator);
        if (!BN254.verify(_details.incorrectSignature, key, _voteMessage(_taskInfo, !approved))) {
            revert InvalidSlashingProof();
        }
        _slash(SlashingCondition.INCORRECT_ATTESTATION, config, operatorId, _details.operator, hash);
    }

    /// @notice Slashes the performer of a task that consensus rejected (module and definition switch on).
    function slashPerformerForRejectedTask(TaskInfo calldata _taskInfo) external {
        SlashingConfig memory config = _slashingConfigs[SlashingCondition.REJECTED_TASK];
        uint16 defId = _taskInfo.taskDefinitionId;
        if (!config.enabled || !isRejectedTaskSlashingEnabled[defId]) revert SlashingNotEnabled();
        bytes32 hash = _taskHash(_taskInfo);
        TaskRecord memory record = _submittedTask(hash, defId);
        if (record.status != TaskStatus.REJECTED) revert InvalidSlashingProof();
        (uint256 operatorId,) = _registeredKey(_taskInfo.taskPerformer);
        _slash(SlashingCondition.REJECTED_TASK, config, operatorId, _taskInfo.taskPerformer, hash);
    }

    /// @notice Slashes stake directly (role SLASHER); slashed tokens go to the AVS treasury.
    function applyCustomSlashing(address _operator, SlashingContractInfo[] calldata _slashingContractInfos)
        external
        onlyRole(SLASHER)
    {
        if (_registry.operatorsIdsByAddress(_operator) == 0) revert OperatorNotRegistered(_operator);
        for (uint256 i = 0; i < _slashingContractInfos.length; i++) {
            SlashingContractInfo calldata info = _slashingContractInfos[i];
            uint256 slashed =
                _registry.slashStake(_operator, info.stakingContract, info.wadsToSlash, address(_treasury));
            emit CustomSlashingApplied(_operator, info.stakingContract, slashed);
        }
    }

    function _submittedTask(bytes32 _hash, uint16 _defId) internal view returns (TaskRecord memory record) {
        record = _tasks[_hash];
        if (record.status == TaskStatus.NONE) revert TaskNotSubmitted();
        uint256 period = _taskDefinitions[_defId].disputePeriodBlocks;
        if (period != 0 && block.number > uint256(record.submittedAtBlock) + period) revert DisputePeriodOver();
    }

    function _registeredKey(address _operator) internal view returns (uint256 operatorId, uint256[4] memory key) {
        operatorId = _registry.operatorsIdsByAddress(_operator);
        if (operatorId == 0) revert OperatorNotRegistered(_operator);
        key = _registry.getBlsKey(operatorId);
    }


    function _slash(
        SlashingCondition _condition,
        SlashingConfig memory _config,
        uint256 _operatorId,
        address _operator,
        bytes32 _hash
    ) internal {
        bytes32 key = keccak256(abi.encode(_condition, _operatorId, _hash));
        if (_slashed[key]) revert AlreadySlashed();
        _slashed[key] = true;
        uint256 slashedStake = 0;
        if (_config.stakePercentageBps != 0) {
            slashedStake = _registry.slashStakePercentage(_operator, _config.stakePercentageBps, address(_treasury));
        }
        if (_config.eject) _registry.ejectOperator(_operator);
        emit OperatorSlashed(_operatorId, _operator, _condition, _hash, slashedStake, _config.eject);
        uint256 reward = challengerRewardFee;
        if (reward != 0) {
            _treasury.pay(msg.sender, reward);
            emit ChallengerRewarded(msg.sender, reward);
        }
    }

    // ================================================================== views





    function getTaskDefinition(uint16 _taskDefinitionId) external view returns (TaskDefinition memory) {
        return _definition(_taskDefinitionId);
    }

    function getTaskDefinitionMinimumVotingPower(uint16 _taskDefinitionId) external view returns (uint256) {
        return _definition(_taskDefinitionId).minimumVotingPower;
    }

    function getTaskDefinitionRestrictedAttesters(uint16 _taskDefinitionId) external view returns (uint256[] memory) {
        return _definition(_taskDefinitionId).restrictedAttesterIds;
    }

    function getTaskDefinitionMaximumNumberOfAttesters(uint16 _taskDefinitionId) external view returns (uint256) {
        return _definition(_taskDefinitionId).maximumNumberOfAttesters;
    }

    function getSlashingConfig(SlashingCondition _condition) external view returns (SlashingConfig memory) {
        return _slashingConfigs[_condition];
    }

    /// @notice The record of a submitted task by its taskHash (status NONE when never submitted).
    function getTaskRecord(bytes32 _taskHash) external view returns (TaskRecord memory) {
        return _tasks[_taskHash];
    }

    function numOfTotalOperators() external view returns (uint256) {
        return _registry.numOfTotalOperators();
    }

    function numOfActiveOperators() external view returns (uint256) {
        return _registry.numOfActiveOperators();
    }

    function totalVotingPower() external view returns (uint256) {
        return _registry.totalVotingPower();
    }

    function getActiveOperatorsDetails() external view returns (OperatorDetails[] memory) {
        return _registry.getActiveOperatorsDetails();
    }

    function operatorsIdsByAddress(address _operator) external view returns (uint256) {
        return _registry.operatorsIdsByAddress(_operator);
    }

    function votingPower(address _operator) external view returns (uint256) {
        return _registry.votingPower(_operator);
    }

    function getOperatorPaymentDetail(uint256 _operatorId) external view returns (PaymentDetails memory) {
        uint256 fee = _feeToClaim[_operatorId];
        return PaymentDetails(
            _registry.getOperatorAccount(_operatorId),
            _lastPaidTaskNumber[_operatorId],
            fee,
            fee == 0 ? PaymentStatus.REDEEMED : PaymentStatus.COMMITTED
        );
    }

    /// @notice Whether the operator may attest for the definition now: active, at least the minimum
    /// voting power, and in the restricted set when there is one.
    function verifyOperatorValidForTaskDefinition(address _operator, uint16 _taskDefinitionId)
        external
        view
        returns (bool)
    {
        TaskDefinition storage def = _definition(_taskDefinitionId);
        (uint256 operatorId, bool active, uint256 power) = _registry.operatorStatus(_operator);
        if (!active || power < def.minimumVotingPower) return false;
        return def.restrictedAttesterIds.length == 0 || _isRestrictedAttester[_taskDefinitionId][operatorId];
    }

    function computeTaskHash(TaskInfo calldata _taskInfo) external pure returns (bytes32) {
        return _taskHash(_taskInfo);
    }

    function computeVoteHash(TaskInfo calldata _taskInfo, bool _isApproved) external view returns (bytes32) {
        return _voteHash(_taskInfo, _isApproved);
    }

}

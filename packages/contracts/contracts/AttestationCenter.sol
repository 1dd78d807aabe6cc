// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "./BN254.sol";
import {BLSAuthLibrary} from "./BLSAuthLibrary.sol";
import {RoleAccess} from "./RoleAccess.sol";
import {OperatorRegistry} from "./OperatorRegistry.sol";
import {AvsTreasury} from "./AvsTreasury.sol";
import {IAvsLogic} from "./interfaces/IAvsLogic.sol";
import {IFeeCalculator} from "./interfaces/IFeeCalculator.sol";
import {IBeforePaymentsLogic} from "./interfaces/IBeforePaymentsLogic.sol";

/// @title AttestationCenter
/// @notice Verifies tasks signed by a performer and attested by a BLS aggregate of operators, with the
/// ABI and rules of Othentic's AttestationCenter (PROTOCOL.md §3): both submitTask overloads, task
/// definitions, rewards per role and batch payments, slashing modules with a challenger reward, custom
/// slashing, ejection, hooks. Operators, keys and voting power live in the OperatorRegistry (`obls()`).
contract AttestationCenter is RoleAccess {
    bytes32 public constant EJECTOR = keccak256("EJECTOR");
    bytes32 public constant SLASHER = keccak256("SLASHER");
    bytes32 public constant PAYMENT_REQUESTS = keccak256("PAYMENT_REQUESTS");
    bytes32 public constant OBLS_SHARES_SYNCER = keccak256("OBLS_SHARES_SYNCER");
    /// @dev keccak256("TasksManager")
    bytes32 public constant DOMAIN_TASKS = 0xb110049506439a07d78731efed3c809a6b13e0bab7cc9805f3bb45fb1e9a67e8;
    /// @notice Internal task: data = abi.encode(uint256[] operatorIds) → registry.syncVotingPower.
    uint16 public constant VOTING_POWER_SYNC_TASK = 10001;
    /// @notice Internal task: data = abi.encode(uint16[] taskDefinitionIds) → refresh their totals.
    uint16 public constant TASK_DEFINITION_TOTALS_TASK = 10002;

    OperatorRegistry internal immutable _registry;
    AvsTreasury internal immutable _treasury;

    uint32 public taskNumber;
    /// @notice Number of created task definitions (ids 1..n); id 0 is the default definition.
    uint16 public numOfTaskDefinitions;
    bool public paused;
    bool public isOpenAggregator;
    IAvsLogic public avsLogic;
    IFeeCalculator public feeCalculator;
    IBeforePaymentsLogic public beforePaymentsLogic;
    uint256 public challengerRewardFee;

    mapping(uint16 => TaskDefinition) internal _taskDefinitions;
    mapping(uint16 => mapping(uint256 => bool)) internal _isRestrictedAttester;
    /// @notice Snapshot of the eligible voting power of a definition with restricted attesters or a
    /// minimum voting power; refreshed on configuration, by `refreshTaskDefinitionVotingPower`, and by
    /// internal task 10002.
    mapping(uint16 => uint256) public taskDefinitionVotingPower;
    mapping(uint16 => bool) public isRejectedTaskSlashingEnabled;
    mapping(uint16 => bool) public isIncorrectAttestationSlashingEnabled;
    mapping(bytes32 => TaskRecord) internal _tasks;
    mapping(uint256 => uint256) internal _feeToClaim;
    mapping(uint256 => uint256) internal _lastPaidTaskNumber;
    mapping(SlashingCondition => SlashingConfig) internal _slashingConfigs;
    mapping(bytes32 => bool) internal _slashed;

    event TaskSubmitted(
        address indexed operator,
        uint32 taskNumber,
        string proofOfTask,
        bytes data,
        uint16 indexed taskDefinitionId,
        uint256[] attestersIds
    );
    event TaskRejected(
        address indexed operator,
        uint32 taskNumber,
        string proofOfTask,
        bytes data,
        uint16 indexed taskDefinitionId,
        uint256[] attestersIds
    );
    event TaskDefinitionCreated(uint16 indexed taskDefinitionId, string name, TaskDefinitionParams params);
    event TaskDefinitionMinimumVotingPowerSet(uint16 indexed taskDefinitionId, uint256 minimumVotingPower);
    event TaskDefinitionRestrictedOperatorsSet(uint16 indexed taskDefinitionId, uint256[] restrictedOperatorIndexes);
    event SetMaximumNumberOfAttesters(uint16 indexed taskDefinitionId, uint256 maximumNumberOfAttesters);
    event TaskDefinitionBlockExpirySet(uint16 indexed taskDefinitionId, uint256 blockExpiry);
    event TaskDefinitionVotingPowerRefreshed(uint16 indexed taskDefinitionId, uint256 votingPower);
    event AvsLogicSet(address avsLogic);
    event FeeCalculatorSet(address feeCalculator);
    event BeforePaymentsLogicSet(address beforePaymentsLogic);
    event PausedSet(bool paused);
    event IsOpenAggregatorSet(bool isOpenAggregator);
    event PaymentRequested(uint256 indexed operatorId, address indexed operator, uint256 amount);
    event PaymentsRequested(
        uint256 from, uint256 to, uint256 totalPaid, uint256 lastPaidTaskNumber, SubmissionType submissionType, bytes distributionData
    );
    event SlashingConfigSet(SlashingCondition indexed condition, SlashingConfig config);
    event RejectedTaskSlashingEnabledSet(uint16 indexed taskDefinitionId, bool enabled);
    event IncorrectAttestationSlashingEnabledSet(uint16 indexed taskDefinitionId, bool enabled);
    event ChallengerRewardFeeSet(uint256 challengerRewardFee);
    event OperatorSlashed(
        uint256 indexed operatorId,
        address indexed operator,
        SlashingCondition indexed condition,
        bytes32 taskHash,
        uint256 slashedStake,
        bool ejected
    );
    event ChallengerRewarded(address indexed challenger, uint256 amount);
    event CustomSlashingApplied(address indexed operator, address indexed stakingContract, uint256 slashedStake);
    event OperatorEjectedFromNetwork(address indexed operator, address indexed ejector);

    modifier onlyGovernanceOr(bytes32 role) {
        if (!hasRole(AVS_GOVERNANCE_MULTISIG, msg.sender)) _checkRole(role, msg.sender);
        _;
    }

    constructor(address governance, OperatorRegistry registry_, AvsTreasury treasury_) RoleAccess(governance) {
        if (address(registry_) == address(0) || address(treasury_) == address(0)) revert ZeroAddress();
        _registry = registry_;
        _treasury = treasury_;
        TaskDefinition storage def = _taskDefinitions[0];
        def.name = "default";
        emit TaskDefinitionCreated(0, "default", TaskDefinitionParams(0, 0, 0, 0, 0, 0, new uint256[](0)));
    }

    // ================================================================== submitTask

    /// @notice Selector 0xfff768e3: performer signed the raw taskHash with ECDSA.
    function submitTask(TaskInfo calldata _taskInfo, EcdsaTaskSubmissionDetails calldata _details) external {
        _beforeSubmission(_taskInfo, _details.isApproved, _details.tpSignature, _details.taSignature, _details.attestersIds);
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

    /// @dev Steps 4–8 of PROTOCOL.md §3.
    function _submit(
        TaskInfo calldata _taskInfo,
        bytes32 _hash,
        bool _isApproved,
        uint256[2] calldata _taSignature,
        uint256[] calldata _attestersIds
    ) internal {
        uint16 defId = _taskInfo.taskDefinitionId;
        // 4. the attesters' message
        uint256[2] memory message = BN254.hashDigestToPoint(DOMAIN_TASKS, _voteHash(_taskInfo, _isApproved));
        // 5. task definition: exists, not expired, restricted set, maximum attesters
        (uint256 minimumVotingPower, bool useDefinitionTotal) = _checkTaskDefinition(defId, _attestersIds);
        // 6–7. attesters (strictly increasing, active, minimum power), threshold, one pairing
        if (_attestersIds.length == 0) revert InvalidAttesterSet();
        (uint256[4] memory aggregateKey, uint256 signedPower) =
            _registry.aggregateAttesters(_attestersIds, minimumVotingPower);
        uint256 total = useDefinitionTotal ? taskDefinitionVotingPower[defId] : _registry.totalVotingPower();
        if (total == 0) revert InvalidRequiredVotingPower();
        uint256 required = _isApproved ? total * 2 / 3 : total / 3;
        if (signedPower < required) revert InsufficientVotingPower();
        if (!BN254.verify(_taSignature, aggregateKey, message)) revert InvalidOBLSSignature();
        // 8. performer and aggregator
        (uint256 performerId, bool performerActive,) = _registry.operatorStatus(_taskInfo.taskPerformer);
        if (!performerActive) revert InactiveTaskPerformer();
        (uint256 aggregatorId, bool aggregatorActive,) = _registry.operatorStatus(msg.sender);
        if (!aggregatorActive && !isOpenAggregator) revert InactiveAggregator();

        uint32 number = taskNumber;
        if (_isApproved) {
            emit TaskSubmitted(msg.sender, number, _taskInfo.proofOfTask, _taskInfo.data, defId, _attestersIds);
        } else {
            emit TaskRejected(msg.sender, number, _taskInfo.proofOfTask, _taskInfo.data, defId, _attestersIds);
        }
        _tasks[_hash] =
            TaskRecord(_isApproved ? TaskStatus.APPROVED : TaskStatus.REJECTED, uint64(block.number), number);
        taskNumber = number + 1;
        if (defId < VOTING_POWER_SYNC_TASK) {
            _accrueRewards(_taskInfo, _isApproved, _attestersIds, performerId, aggregatorId);
        } else if (_isApproved) {
            _runInternalTask(defId, _taskInfo.data);
        }
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
                refreshTaskDefinitionVotingPower(ids[i]);
            }
        }
    }

    function _taskHash(TaskInfo calldata t) internal pure returns (bytes32) {
        return keccak256(abi.encode(t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId));
    }

    function _voteHash(TaskInfo calldata t, bool isApproved) internal view returns (bytes32) {
        return keccak256(
            abi.encode(t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId, address(this), block.chainid, isApproved)
        );
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
        refreshTaskDefinitionVotingPower(id);
    }

    function setTaskDefinitionMinVotingPower(uint16 _taskDefinitionId, uint256 _minimumVotingPower)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _definition(_taskDefinitionId).minimumVotingPower = _minimumVotingPower;
        emit TaskDefinitionMinimumVotingPowerSet(_taskDefinitionId, _minimumVotingPower);
        refreshTaskDefinitionVotingPower(_taskDefinitionId);
    }

    function setTaskDefinitionRestrictedOperators(uint16 _taskDefinitionId, uint256[] calldata _restrictedOperatorIndexes)
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
        refreshTaskDefinitionVotingPower(_taskDefinitionId);
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

    /// @notice Recomputes the definition's eligible voting-power snapshot (permissionless).
    function refreshTaskDefinitionVotingPower(uint16 _taskDefinitionId) public {
        TaskDefinition storage def = _definition(_taskDefinitionId);
        uint256 power = _registry.sumVotingPower(def.restrictedAttesterIds, def.minimumVotingPower);
        taskDefinitionVotingPower[_taskDefinitionId] = power;
        emit TaskDefinitionVotingPowerRefreshed(_taskDefinitionId, power);
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

    function _definition(uint16 _id) internal view returns (TaskDefinition storage) {
        if (_id > numOfTaskDefinitions) revert TaskDefinitionNotFound(_id);
        return _taskDefinitions[_id];
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

    function _voteMessage(TaskInfo calldata _taskInfo, bool _isApproved) internal view returns (uint256[2] memory) {
        return BN254.hashDigestToPoint(DOMAIN_TASKS, _voteHash(_taskInfo, _isApproved));
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

    /// @notice No extension contract: every function lives in this contract.
    function EXTENSION_IMPLEMENTATION() external pure returns (address) {
        return address(0);
    }

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

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "../../BN254.sol";
import {BLSAuthLibrary} from "../../BLSAuthLibrary.sol";
import {RoleAccess} from "../../RoleAccess.sol";
import {OthenticShapedOBLS} from "./OthenticShapedOBLS.sol";

/// @title OthenticShapedAttestationCenter (test contract)
/// @notice Our own small contract presenting the L2 surface of an Othentic v2 AttestationCenter as
/// OTHENTIC-INTEROP.md §1 documents it — and nothing of Wisp's own extras (no getTaskDefinition, no
/// totalVotingPower, no getOperator), so code written only against Wisp's contracts fails on it the way
/// it would on a real deployment. Written from the documented interface (never from Othentic's sources),
/// for testing Wisp's Othentic backend on anvil; never deploy it for real.
/// Verification follows PROTOCOL.md §3 with Wisp's BN254 library; the aggregate is checked by the OBLS
/// (`verifySignature`), as on Othentic. With `v1Events` the contract behaves like an older (v1)
/// deployment: the v1 TaskSubmitted/TaskRejected shape and no BLS-performer submitTask overload.
/// Differences from a real deployment, on purpose: registration comes from a MESSAGE_HANDLER call
/// (no L1, no cross-chain message), a voting-power change is also an admin call
/// (`setOperatorVotingPower`), payments and slashing are not modelled, no proxy.
contract OthenticShapedAttestationCenter is RoleAccess {
    bytes32 public constant MESSAGE_HANDLER = keccak256("MESSAGE_HANDLER");
    /// @dev bytes4(keccak256("TASKS_SUBMISSION_FLOW"))
    bytes4 public constant TASKS_SUBMISSION_FLOW = 0x2aedfbf3;
    /// @dev keccak256("TasksManager")
    bytes32 internal constant DOMAIN_TASKS = 0xb110049506439a07d78731efed3c809a6b13e0bab7cc9805f3bb45fb1e9a67e8;
    uint16 internal constant VOTING_POWER_SYNC_TASK = 10001;
    uint16 internal constant TASK_DEFINITION_TOTALS_TASK = 10002;

    struct ActiveOperatorDetails {
        address operator;
        uint256 operatorId;
        uint256 votingPower;
        uint256 feeToClaim;
    }

    /// @dev Internal task 10001's data: `abi.encode(VotingPowerUpdate)`; amounts are deltas.
    struct OperatorVotingPower {
        uint256 operatorId;
        uint256 votingPower;
    }

    struct VotingPowerUpdate {
        OperatorVotingPower[] toIncrease;
        OperatorVotingPower[] toDecrease;
        uint256 toBlockL1;
        uint256 toBlockL2;
    }

    /// @dev Internal task 10002's data: `abi.encode(Call[])`, calls to the OBLS only.
    struct Call {
        address to;
        bytes data;
    }

    struct Definition {
        uint256 blockExpiry;
        uint256 baseRewardFeeForAttesters;
        uint256 baseRewardFeeForPerformer;
        uint256 baseRewardFeeForAggregator;
        uint256 minimumVotingPower;
        uint256[] restrictedAttesterIds;
        uint256 maximumNumberOfAttesters;
    }

    error FlowIsPaused(bytes4 flow);
    error InvalidInternalTask();

    // v2 events (OTHENTIC-INTEROP.md §1): `operator` is the task performer.
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
    // v1 events: nothing indexed, no attestersIds (a different topic).
    event TaskSubmitted(address operator, uint32 taskNumber, string proofOfTask, bytes data, uint16 taskDefinitionId);
    event TaskRejected(address operator, uint32 taskNumber, string proofOfTask, bytes data, uint16 taskDefinitionId);

    event TaskDefinitionCreated(
        uint16 taskDefinitionId,
        string name,
        uint256 blockExpiry,
        uint256 baseRewardFeeForAttesters,
        uint256 baseRewardFeeForPerformer,
        uint256 baseRewardFeeForAggregator,
        uint256 disputePeriodBlocks,
        uint256 minimumVotingPower,
        uint256[] restrictedAttesterIds,
        uint256 maximumNumberOfAttesters
    );
    event SetRestrictedAttesters(uint16 taskDefinitionId, uint256[] restrictedAttesterIds);
    event SetMaximumNumberOfAttesters(uint16 taskDefinitionId, uint256 maximumNumberOfAttesters);
    event SetMinimumVotingPower(uint16 taskDefinitionId, uint256 minimumVotingPower);
    event OperatorRegisteredToNetwork(address indexed operator, uint256 votingPower);
    event OperatorUnregisteredFromNetwork(uint256 indexed operatorId);
    event OperatorBlsKeyUpdated(address indexed operator, uint256[4] blsKey);
    /// @dev Ours (stands in for the effect of internal task 10001).
    event OperatorVotingPowerUpdated(uint256 indexed operatorId, uint256 votingPower);
    event RewardAccumulated(uint256 indexed operatorId, uint256 fee, uint32 indexed taskNumber);
    event FlowPaused(bytes4 flow);
    event FlowUnpaused(bytes4 flow);

    OthenticShapedOBLS internal immutable _obls;
    bool internal immutable _v1;

    uint32 public taskNumber;
    uint16 public numOfTaskDefinitions;
    uint256 public numOfTotalOperators;
    uint256 public numOfActiveOperators;
    address public avsTreasury;
    address public avsLogic;
    address public beforePaymentsLogic;
    /// @dev No extension here; a real deployment has one. Zero says so honestly.
    address public constant EXTENSION_IMPLEMENTATION = address(0);

    mapping(address => uint256) internal _idsByAddress;
    mapping(uint256 => PaymentDetails) internal _payments;
    mapping(uint16 => Definition) internal _definitions;
    mapping(uint16 => mapping(uint256 => bool)) internal _isRestricted;
    mapping(bytes4 => bool) public isFlowPaused;
    mapping(bytes32 => bool) internal _used;

    /// @param governance holds AVS_GOVERNANCE_MULTISIG and MESSAGE_HANDLER, and may set OBLS per-definition totals.
    /// @param v1Events behave like a v1 deployment (v1 event shapes, ECDSA-performer overload only).
    constructor(address governance, bool v1Events) RoleAccess(governance) {
        _obls = new OthenticShapedOBLS(governance);
        _v1 = v1Events;
        _grantRole(MESSAGE_HANDLER, governance);
    }

    // ================================================================== views

    function obls() external view returns (address) {
        return address(_obls);
    }

    function internalTaskHandler() external view returns (address) {
        return address(this);
    }

    /// @notice Reverts OperatorNotRegistered(operator) for an address that is not registered now.
    function operatorsIdsByAddress(address operator) public view returns (uint256 id) {
        id = _idsByAddress[operator];
        if (id == 0) revert OperatorNotRegistered(operator);
    }

    function votingPower(address operator) external view returns (uint256) {
        uint256 id = _idsByAddress[operator];
        return id == 0 ? 0 : _obls.votingPower(id);
    }

    /// @notice Active operators only, in id order; no BLS keys (read them from the OBLS).
    function getActiveOperatorsDetails() external view returns (ActiveOperatorDetails[] memory details) {
        details = new ActiveOperatorDetails[](numOfActiveOperators);
        uint256 n = 0;
        for (uint256 id = 1; id <= numOfTotalOperators; id++) {
            if (!_obls.isActive(id)) continue;
            details[n++] =
                ActiveOperatorDetails(_payments[id].operator, id, _obls.votingPower(id), _payments[id].feeToClaim);
        }
    }

    function getOperatorPaymentDetail(uint256 operatorId) external view returns (PaymentDetails memory) {
        return _payments[operatorId];
    }

    function getTaskDefinitionMinimumVotingPower(uint16 id) external view returns (uint256) {
        return _definitions[id].minimumVotingPower;
    }

    function getTaskDefinitionRestrictedAttesters(uint16 id) external view returns (uint256[] memory) {
        return _definitions[id].restrictedAttesterIds;
    }

    function getTaskDefinitionMaximumNumberOfAttesters(uint16 id) external view returns (uint256) {
        return _definitions[id].maximumNumberOfAttesters;
    }

    function verifyOperatorValidForTaskDefinition(address operator, uint16 id) external view returns (bool) {
        uint256 operatorId = _idsByAddress[operator];
        if (operatorId == 0 || !_obls.isActive(operatorId)) return false;
        Definition storage def = _definitions[id];
        if (_obls.votingPower(operatorId) < def.minimumVotingPower) return false;
        return def.restrictedAttesterIds.length == 0 || _isRestricted[id][operatorId];
    }

    // ================================================================== operators

    /// @notice What the cross-chain message from L1 AvsGovernance does: every registration, a re-registration
    /// included, gets a new 1-based id. The proof of possession was checked on L1.
    function registerToNetwork(address operator, uint256 power, uint256[4] calldata blsKey, address rewardsReceiver)
        external
        onlyRole(MESSAGE_HANDLER)
    {
        if (operator == address(0) || rewardsReceiver == address(0)) revert ZeroAddress();
        if (_idsByAddress[operator] != 0) revert OperatorAlreadyRegistered(operator);
        uint256 id = ++numOfTotalOperators;
        numOfActiveOperators++;
        _idsByAddress[operator] = id;
        _payments[id].operator = operator;
        _obls.registerOperator(id, power, blsKey);
        emit OperatorRegisteredToNetwork(operator, power);
    }

    function unRegisterOperatorFromNetwork(address operator) external onlyRole(MESSAGE_HANDLER) {
        uint256 id = operatorsIdsByAddress(operator);
        delete _idsByAddress[operator];
        numOfActiveOperators--;
        _obls.unRegisterOperator(id);
        emit OperatorUnregisteredFromNetwork(id);
    }

    /// @notice Replaces msg.sender's key; the proof of possession is bound to this contract and chain id.
    function updateBlsKey(uint256[4] calldata blsKey, BLSAuthLibrary.Signature calldata authSignature) external {
        uint256 id = operatorsIdsByAddress(msg.sender);
        if (!BLSAuthLibrary.isValidProof(msg.sender, blsKey, authSignature)) revert InvalidBLSAuthSignature();
        _obls.setBlsKey(id, blsKey);
        emit OperatorBlsKeyUpdated(msg.sender, blsKey);
    }

    /// @notice Sets an active operator's voting power (what internal task 10001 does after an L1 change).
    function setOperatorVotingPower(uint256 operatorId, uint256 power) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        if (!_obls.isActive(operatorId)) revert InactiveOperator(operatorId);
        _setVotingPower(operatorId, power);
    }

    function _setVotingPower(uint256 operatorId, uint256 power) internal {
        _obls.setVotingPower(operatorId, power);
        emit OperatorVotingPowerUpdated(operatorId, power);
    }

    // ================================================================== task definitions

    /// @notice blockExpiry 0 or type(uint256).max: never expires. The maximum number of attesters starts at 0
    /// (none); set it with setTaskDefinitionMaximumNumberOfAttesters.
    function createNewTaskDefinition(string calldata name, TaskDefinitionParams calldata params)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
        returns (uint16 id)
    {
        id = numOfTaskDefinitions + 1;
        if (id >= VOTING_POWER_SYNC_TASK) revert InvalidTaskDefinition();
        numOfTaskDefinitions = id;
        Definition storage def = _definitions[id];
        def.blockExpiry = params.blockExpiry;
        def.baseRewardFeeForAttesters = params.baseRewardFeeForAttesters;
        def.baseRewardFeeForPerformer = params.baseRewardFeeForPerformer;
        def.baseRewardFeeForAggregator = params.baseRewardFeeForAggregator;
        def.minimumVotingPower = params.minimumVotingPower;
        _setRestricted(id, params.restrictedOperatorIndexes);
        emit TaskDefinitionCreated(
            id,
            name,
            params.blockExpiry,
            params.baseRewardFeeForAttesters,
            params.baseRewardFeeForPerformer,
            params.baseRewardFeeForAggregator,
            params.disputePeriodBlocks,
            params.minimumVotingPower,
            params.restrictedOperatorIndexes,
            0
        );
    }

    function setTaskDefinitionRestrictedAttesters(uint16 id, uint256[] calldata restrictedAttesterIds)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        Definition storage def = _existing(id);
        uint256[] storage old = def.restrictedAttesterIds;
        for (uint256 i = 0; i < old.length; i++) {
            delete _isRestricted[id][old[i]];
        }
        delete def.restrictedAttesterIds;
        _setRestricted(id, restrictedAttesterIds);
        emit SetRestrictedAttesters(id, restrictedAttesterIds);
    }

    /// @notice 0 = no maximum.
    function setTaskDefinitionMaximumNumberOfAttesters(uint16 id, uint256 maximum)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _existing(id).maximumNumberOfAttesters = maximum;
        emit SetMaximumNumberOfAttesters(id, maximum);
    }

    function setTaskDefinitionMinVotingPower(uint16 id, uint256 minimumVotingPower)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        _existing(id).minimumVotingPower = minimumVotingPower;
        emit SetMinimumVotingPower(id, minimumVotingPower);
    }

    function pauseFlow(bytes4 flow) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        isFlowPaused[flow] = true;
        emit FlowPaused(flow);
    }

    function unpauseFlow(bytes4 flow) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        isFlowPaused[flow] = false;
        emit FlowUnpaused(flow);
    }

    function _existing(uint16 id) internal view returns (Definition storage) {
        if (id == 0 || id > numOfTaskDefinitions) revert TaskDefinitionNotFound(id);
        return _definitions[id];
    }

    function _setRestricted(uint16 id, uint256[] calldata ids) internal {
        Definition storage def = _definitions[id];
        for (uint256 i = 0; i < ids.length; i++) {
            uint256 operatorId = ids[i];
            if (operatorId == 0 || _isRestricted[id][operatorId]) revert InvalidAttesterSet();
            _isRestricted[id][operatorId] = true;
            def.restrictedAttesterIds.push(operatorId);
        }
    }

    // ================================================================== submitTask (PROTOCOL.md §3)

    /// @notice Selector 0xfff768e3: the performer signed the raw taskHash with ECDSA.
    function submitTask(TaskInfo calldata taskInfo, EcdsaTaskSubmissionDetails calldata details) external {
        bytes32 hash = _taskHash(taskInfo);
        _beforeSubmission(hash);
        if (!_isValidEcdsa(hash, details.tpSignature, taskInfo.taskPerformer)) revert InvalidPerformerSignature();
        _submit(taskInfo, hash, details.isApproved, details.taSignature, details.attestersIds);
    }

    /// @notice Selector 0x8a7ce8a4: the performer signed hashToPoint(DOMAIN_TASKS, taskHash) with its BLS key.
    /// A v1 deployment has no such function: the call reverts without data, as an unknown selector does.
    function submitTask(TaskInfo calldata taskInfo, BlsTaskSubmissionDetails calldata details) external {
        if (_v1) {
            assembly {
                revert(0, 0)
            }
        }
        bytes32 hash = _taskHash(taskInfo);
        _beforeSubmission(hash);
        uint256 performerId = _idsByAddress[taskInfo.taskPerformer];
        if (
            performerId == 0 || !_obls.isActive(performerId)
                || !BN254.verify(
                    details.tpSignature,
                    _obls.getOperatorBLSPubKey(performerId),
                    BN254.hashDigestToPoint(DOMAIN_TASKS, hash)
                )
        ) revert InvalidPerformerSignature();
        _submit(taskInfo, hash, details.isApproved, details.taSignature, details.attestersIds);
    }

    function _beforeSubmission(bytes32 hash) internal view {
        if (isFlowPaused[TASKS_SUBMISSION_FLOW]) revert FlowIsPaused(TASKS_SUBMISSION_FLOW);
        if (_used[hash]) revert MessageAlreadySigned();
    }

    function _submit(
        TaskInfo calldata taskInfo,
        bytes32 hash,
        bool isApproved,
        uint256[2] calldata taSignature,
        uint256[] calldata attestersIds
    ) internal {
        _verifyAttestation(taskInfo, isApproved, taSignature, attestersIds);
        uint256 performerId = _idsByAddress[taskInfo.taskPerformer];
        if (performerId == 0 || !_obls.isActive(performerId)) revert InactiveTaskPerformer();
        uint256 aggregatorId = _idsByAddress[msg.sender];
        if (aggregatorId == 0 || !_obls.isActive(aggregatorId)) revert InactiveAggregator();

        uint32 number = taskNumber;
        _emitOutcome(taskInfo, isApproved, number, attestersIds);
        uint16 defId = taskInfo.taskDefinitionId;
        if (defId < VOTING_POWER_SYNC_TASK) {
            _accrue(_definitions[defId], isApproved, number, attestersIds, performerId, aggregatorId);
        } else if (isApproved) {
            _runInternalTask(defId, taskInfo.data);
        }
        taskNumber = number + 1;
        _used[hash] = true;
    }

    /// @dev Steps 4–7: definition checks, threshold, vote message; the OBLS checks ids and the pairing.
    function _verifyAttestation(
        TaskInfo calldata taskInfo,
        bool isApproved,
        uint256[2] calldata taSignature,
        uint256[] calldata attestersIds
    ) internal view {
        uint16 defId = taskInfo.taskDefinitionId;
        (uint256 minimumVotingPower, bool useDefinitionTotal) = _checkDefinition(defId, attestersIds);
        if (attestersIds.length == 0) revert InvalidAttesterSet();
        uint256 total = useDefinitionTotal ? _obls.totalVotingPowerPerTaskDefinition(defId) : _obls.totalVotingPower();
        if (total == 0) revert InvalidRequiredVotingPower();
        _obls.verifySignature(
            _voteMessage(taskInfo, isApproved),
            taSignature,
            attestersIds,
            isApproved ? total * 2 / 3 : total / 3,
            minimumVotingPower
        );
    }

    function _checkDefinition(uint16 defId, uint256[] calldata attestersIds)
        internal
        view
        returns (uint256 minimumVotingPower, bool useDefinitionTotal)
    {
        if (defId >= VOTING_POWER_SYNC_TASK) {
            if (defId > TASK_DEFINITION_TOTALS_TASK) revert TaskDefinitionNotFound(defId);
            return (0, false);
        }
        if (defId > numOfTaskDefinitions) revert TaskDefinitionNotFound(defId);
        Definition storage def = _definitions[defId];
        uint256 expiry = def.blockExpiry;
        if (expiry != 0 && block.number > expiry) revert InvalidTaskDefinition();
        uint256 restricted = def.restrictedAttesterIds.length;
        if (restricted > 0) {
            for (uint256 i = 0; i < attestersIds.length; i++) {
                if (!_isRestricted[defId][attestersIds[i]]) revert InvalidRestrictedAttester(defId, attestersIds[i]);
            }
        }
        uint256 maximum = def.maximumNumberOfAttesters;
        if (maximum != 0 && attestersIds.length > maximum) revert InvalidMaximumNumberOfAttesters();
        minimumVotingPower = def.minimumVotingPower;
        useDefinitionTotal = restricted > 0 || minimumVotingPower > 0;
    }

    /// @dev hashToPoint(DOMAIN_TASKS, abi.encode(voteHash)); the vote is bound to this contract and chain.
    function _voteMessage(TaskInfo calldata t, bool isApproved) internal view returns (uint256[2] memory) {
        bytes32 voteHash = keccak256(
            abi.encode(
                t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId, address(this), block.chainid, isApproved
            )
        );
        return BN254.hashDigestToPoint(DOMAIN_TASKS, voteHash);
    }

    function _emitOutcome(TaskInfo calldata t, bool isApproved, uint32 number, uint256[] calldata attestersIds)
        internal
    {
        // `operator` is the task performer, as Othentic emits it (not the aggregator, msg.sender)
        if (_v1) {
            if (isApproved) emit TaskSubmitted(t.taskPerformer, number, t.proofOfTask, t.data, t.taskDefinitionId);
            else emit TaskRejected(t.taskPerformer, number, t.proofOfTask, t.data, t.taskDefinitionId);
        } else if (isApproved) {
            emit TaskSubmitted(t.taskPerformer, number, t.proofOfTask, t.data, t.taskDefinitionId, attestersIds);
        } else {
            emit TaskRejected(t.taskPerformer, number, t.proofOfTask, t.data, t.taskDefinitionId, attestersIds);
        }
    }

    function _accrue(
        Definition storage def,
        bool isApproved,
        uint32 number,
        uint256[] calldata attestersIds,
        uint256 performerId,
        uint256 aggregatorId
    ) internal {
        uint256 fee = def.baseRewardFeeForAttesters;
        if (fee != 0) {
            for (uint256 i = 0; i < attestersIds.length; i++) {
                _reward(attestersIds[i], fee, number);
            }
        }
        // a rejected task earns its performer nothing
        if (isApproved) _reward(performerId, def.baseRewardFeeForPerformer, number);
        _reward(aggregatorId, def.baseRewardFeeForAggregator, number);
    }

    function _reward(uint256 operatorId, uint256 fee, uint32 number) internal {
        if (fee == 0) return;
        _payments[operatorId].feeToClaim += fee;
        emit RewardAccumulated(operatorId, fee, number);
    }

    function _runInternalTask(uint16 defId, bytes calldata data) internal {
        if (defId == VOTING_POWER_SYNC_TASK) {
            VotingPowerUpdate memory update = abi.decode(data, (VotingPowerUpdate));
            for (uint256 i = 0; i < update.toIncrease.length; i++) {
                OperatorVotingPower memory u = update.toIncrease[i];
                _setVotingPower(u.operatorId, _obls.votingPower(u.operatorId) + u.votingPower);
            }
            for (uint256 i = 0; i < update.toDecrease.length; i++) {
                OperatorVotingPower memory u = update.toDecrease[i];
                _setVotingPower(u.operatorId, _obls.votingPower(u.operatorId) - u.votingPower);
            }
        } else {
            Call[] memory calls = abi.decode(data, (Call[]));
            for (uint256 i = 0; i < calls.length; i++) {
                bytes memory callData = calls[i].data;
                if (
                    calls[i].to != address(_obls) || callData.length < 4
                        || bytes4(callData) != OthenticShapedOBLS.setTotalVotingPowerPerTaskDefinition.selector
                ) revert InvalidInternalTask();
                (bool ok, bytes memory reason) = address(_obls).call(callData);
                if (!ok) {
                    assembly {
                        revert(add(reason, 0x20), mload(reason))
                    }
                }
            }
        }
    }

    function _taskHash(TaskInfo calldata t) internal pure returns (bytes32) {
        return keccak256(abi.encode(t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId));
    }

    /// @dev ECDSA over the raw hash (no EIP-191 prefix); v may be 27/28 or 0/1; high-s refused.
    function _isValidEcdsa(bytes32 hash, bytes calldata sig, address signer) internal pure returns (bool) {
        if (sig.length != 65 || signer == address(0)) return false;
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        if (uint256(s) > 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0) return false;
        return ecrecover(hash, v, r, s) == signer;
    }
}

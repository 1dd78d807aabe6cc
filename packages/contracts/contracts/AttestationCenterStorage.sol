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

/// @notice State, events and shared helpers of the AttestationCenter and of its extension (which runs
/// through delegatecall on the same storage). Only append new state variables at the end.
abstract contract AttestationCenterStorage is RoleAccess {
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
        uint256 from,
        uint256 to,
        uint256 totalPaid,
        uint256 lastPaidTaskNumber,
        SubmissionType submissionType,
        bytes distributionData
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
    }

    // ================================================================== shared helpers

    function _taskHash(TaskInfo calldata t) internal pure returns (bytes32) {
        return keccak256(abi.encode(t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId));
    }

    function _voteHash(TaskInfo calldata t, bool isApproved) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                t.proofOfTask, t.data, t.taskPerformer, t.taskDefinitionId, address(this), block.chainid, isApproved
            )
        );
    }

    function _voteMessage(TaskInfo calldata _taskInfo, bool _isApproved) internal view returns (uint256[2] memory) {
        return BN254.hashDigestToPoint(DOMAIN_TASKS, _voteHash(_taskInfo, _isApproved));
    }

    function _definition(uint16 _id) internal view returns (TaskDefinition storage) {
        if (_id > numOfTaskDefinitions) revert TaskDefinitionNotFound(_id);
        return _taskDefinitions[_id];
    }

    function _refreshTaskDefinitionVotingPower(uint16 _taskDefinitionId) internal {
        TaskDefinition storage def = _definition(_taskDefinitionId);
        uint256 power = _registry.sumVotingPower(def.restrictedAttesterIds, def.minimumVotingPower);
        taskDefinitionVotingPower[_taskDefinitionId] = power;
        emit TaskDefinitionVotingPowerRefreshed(_taskDefinitionId, power);
    }
}

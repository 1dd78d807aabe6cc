// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Structs, enums and errors shared by the AttestationCenter, the OperatorRegistry and the hooks.
/// Field order is ABI-relevant and follows the public Othentic interface (docs/protocol.md §3).
interface IAttestationCenterTypes {
    struct TaskInfo {
        string proofOfTask;
        bytes data;
        address taskPerformer;
        uint16 taskDefinitionId;
    }

    struct EcdsaTaskSubmissionDetails {
        bool isApproved;
        bytes tpSignature;
        uint256[2] taSignature;
        uint256[] attestersIds;
    }

    struct BlsTaskSubmissionDetails {
        bool isApproved;
        uint256[2] tpSignature;
        uint256[2] taSignature;
        uint256[] attestersIds;
    }

    struct TaskDefinitionParams {
        uint256 blockExpiry;
        uint256 baseRewardFeeForAttesters;
        uint256 baseRewardFeeForPerformer;
        uint256 baseRewardFeeForAggregator;
        uint256 disputePeriodBlocks;
        uint256 minimumVotingPower;
        uint256[] restrictedOperatorIndexes;
    }

    struct TaskDefinition {
        uint16 taskDefinitionId;
        string name;
        uint256 blockExpiry;
        uint256 baseRewardFeeForAttesters;
        uint256 baseRewardFeeForPerformer;
        uint256 baseRewardFeeForAggregator;
        uint256 disputePeriodBlocks;
        uint256 minimumVotingPower;
        uint256[] restrictedAttesterIds;
        uint256 maximumNumberOfAttesters;
    }

    enum PaymentStatus {
        REDEEMED,
        COMMITTED
    }

    struct PaymentDetails {
        address operator;
        uint256 lastPaidTaskNumber;
        uint256 feeToClaim;
        PaymentStatus paymentStatus;
    }

    struct PaymentRequestMessage {
        address operator;
        uint256 feeToClaim;
    }

    /// @dev DIRECT: the AVS treasury pays each operator's accrued fee to its address.
    enum SubmissionType {
        DIRECT
    }

    enum TaskStatus {
        NONE,
        APPROVED,
        REJECTED
    }

    struct TaskRecord {
        TaskStatus status;
        uint64 submittedAtBlock;
        uint32 taskNumber;
    }

    enum SlashingCondition {
        DOUBLE_ATTESTATION,
        INCORRECT_ATTESTATION,
        REJECTED_TASK
    }

    /// @dev Module configuration: `stakePercentageBps` of every stake position is slashed
    /// (10 000 = 100 %), and the operator is ejected when `eject` is set.
    struct SlashingConfig {
        bool enabled;
        uint16 stakePercentageBps;
        bool eject;
    }

    struct DoubleAttestationSlashingDetails {
        address operator;
        uint256[2] trueBlsSignature;
        uint256[2] falseBlsSignature;
    }

    struct IncorrectAttestationSlashingDetails {
        address operator;
        bool isApproved;
        uint256[2] incorrectSignature;
        uint256[2] taSignature;
        uint256[] attesterIds;
    }

    /// @dev Informational in the one-chain deployment: stake always lives in the OperatorRegistry.
    enum SharedSecurityProvider {
        EIGEN_LAYER,
        SYMBIOTIC,
        LOCAL
    }

    struct SlashingContractInfo {
        address stakingContract;
        SharedSecurityProvider sharedSecurityProvider;
        uint256 wadsToSlash;
    }

    struct OperatorDetails {
        address operator;
        uint256 operatorId;
        uint256 votingPower;
    }

    // ---------------------------------------------------------------- errors (docs/protocol.md §3 names)
    error MessageAlreadySigned();
    error InvalidPerformerSignature();
    error InactiveTaskPerformer();
    error InactiveAggregator();
    error InvalidTaskDefinition();
    error TaskDefinitionNotFound(uint16 taskDefinitionId);
    error InvalidRestrictedAttester(uint256 taskDefinitionId, uint256 operatorIndex);
    error InvalidAttesterSet();
    error InvalidMaximumNumberOfAttesters();
    error InvalidOperatorIndexes();
    error OperatorDoesNotHaveMinimumVotingPower(uint256 operatorIndex);
    error InactiveOperator(uint256 operatorIndex);
    error InsufficientVotingPower();
    error InvalidRequiredVotingPower();
    error InvalidOBLSSignature();

    // ---------------------------------------------------------------- errors (this implementation)
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
    error TaskSubmissionPaused();
    error InvalidBLSAuthSignature();
    error InvalidBlsKey();
    error OperatorNotRegistered(address operator);
    error OperatorAlreadyRegistered(address operator);
    error OperatorIsEjected(address operator);
    error StakeLocked();
    error InsufficientStake();
    error UnknownStakingContract(address stakingContract);
    error StakingContractAlreadyAdded(address stakingContract);
    error InvalidRangeForBatchPaymentRequest();
    error SlashingNotEnabled();
    error AlreadySlashed();
    error InvalidSlashingProof();
    error TaskNotSubmitted();
    error DisputePeriodOver();
    error InvalidSlashingPercentage();
    error ZeroAddress();
    error TokenTransferFailed(address token);
    error NativeTransferFailed(address to);
}

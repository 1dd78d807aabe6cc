// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "./BN254.sol";
import {BLSAuthLibrary} from "./BLSAuthLibrary.sol";
import {RoleAccess} from "./RoleAccess.sol";
import {SafeTransfer} from "./SafeTransfer.sol";

/// @title OperatorRegistry
/// @notice The one-chain form of Othentic's governance + OBLS contracts: operators register with a
/// BN254 G2 key and a proof of possession, stake ERC-20 tokens in the registry, and get voting power
/// = min(Σ stake × multiplier / 1e18, maxEffectiveBalance). Keeps active flags, the network total of
/// active voting power, and aggregates attesters' keys for the AttestationCenter.
contract OperatorRegistry is RoleAccess {
    /// @dev Held by the AttestationCenter: BLS key updates, ejection, slashing.
    bytes32 public constant ATTESTATION_CENTER = keccak256("ATTESTATION_CENTER");
    uint256 public constant WAD = 1e18;
    uint256 public constant BPS = 10_000;

    struct Operator {
        // slot 0: the only slot besides the key that submitTask reads per attester
        uint248 votingPower;
        bool active;
        // slot 1
        address account;
        bool ejected;
        uint64 inactiveSinceBlock;
        // slots 2..5
        uint256[4] blsKey;
    }

    mapping(uint256 operatorId => Operator) internal _operators;
    mapping(address operator => uint256) public operatorsIdsByAddress;
    uint256 public numOfTotalOperators;
    uint256 public numOfActiveOperators;
    /// @notice Sum of the voting power of active operators.
    uint256 public totalVotingPower;
    /// @notice Cap on one operator's voting power; 0 = no cap.
    uint256 public maxEffectiveBalance;
    /// @notice Blocks an operator must stay inactive before it may withdraw stake.
    uint256 public withdrawalDelayBlocks;

    address[] internal _stakingContracts;
    mapping(address stakingContract => bool) public isStakingContract;
    /// @notice Voting power per staked token unit, in WAD (1e18 = 1×).
    mapping(address stakingContract => uint256) public stakingContractMultiplier;
    mapping(address operator => mapping(address stakingContract => uint256)) public stakeOf;

    event OperatorRegistered(uint256 indexed operatorId, address indexed operator, uint256[4] blsKey);
    event OperatorUnregistered(uint256 indexed operatorId, address indexed operator);
    event OperatorEjected(uint256 indexed operatorId, address indexed operator);
    event BlsKeyUpdated(uint256 indexed operatorId, address indexed operator, uint256[4] blsKey);
    event VotingPowerUpdated(uint256 indexed operatorId, address indexed operator, uint256 votingPower);
    event StakeDeposited(address indexed operator, address indexed stakingContract, address from, uint256 amount);
    event StakeWithdrawn(address indexed operator, address indexed stakingContract, uint256 amount);
    event StakeSlashed(address indexed operator, address indexed stakingContract, uint256 amount, address recipient);
    event StakingContractSet(address indexed stakingContract, uint256 multiplier);
    event MaxEffectiveBalanceSet(uint256 maxEffectiveBalance);
    event WithdrawalDelaySet(uint256 blocks);

    constructor(address governance) RoleAccess(governance) {}

    // ------------------------------------------------------------------ governance

    function addStakingContract(address stakingContract, uint256 multiplier)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        if (stakingContract == address(0)) revert ZeroAddress();
        if (isStakingContract[stakingContract]) revert StakingContractAlreadyAdded(stakingContract);
        isStakingContract[stakingContract] = true;
        stakingContractMultiplier[stakingContract] = multiplier;
        _stakingContracts.push(stakingContract);
        emit StakingContractSet(stakingContract, multiplier);
    }

    /// @notice Changes a multiplier. Stored voting powers change on the next stake movement or
    /// `syncVotingPower` (the one-chain form of the voting-power sync task).
    function setStakingContractMultiplier(address stakingContract, uint256 multiplier)
        external
        onlyRole(AVS_GOVERNANCE_MULTISIG)
    {
        if (!isStakingContract[stakingContract]) revert UnknownStakingContract(stakingContract);
        stakingContractMultiplier[stakingContract] = multiplier;
        emit StakingContractSet(stakingContract, multiplier);
    }

    /// @notice Sets the cap (0 = none); like multipliers, it applies on the next sync.
    function setMaxEffectiveBalance(uint256 cap) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        maxEffectiveBalance = cap;
        emit MaxEffectiveBalanceSet(cap);
    }

    function setWithdrawalDelayBlocks(uint256 blocks) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        withdrawalDelayBlocks = blocks;
        emit WithdrawalDelaySet(blocks);
    }

    // ------------------------------------------------------------------ operators

    /// @notice Registers msg.sender (or re-activates a previously unregistered operator, keeping its id).
    /// `authSignature` proves possession of `blsKey` for (msg.sender, this registry, chain id).
    function registerAsOperator(uint256[4] calldata blsKey, BLSAuthLibrary.Signature calldata authSignature)
        external
        returns (uint256 operatorId)
    {
        address account = msg.sender;
        operatorId = operatorsIdsByAddress[account];
        if (operatorId != 0) {
            Operator storage existing = _operators[operatorId];
            if (existing.ejected) revert OperatorIsEjected(account);
            if (existing.active) revert OperatorAlreadyRegistered(account);
        }
        if (!BLSAuthLibrary.isValidProof(account, blsKey, authSignature)) revert InvalidBLSAuthSignature();
        if (operatorId == 0) {
            operatorId = ++numOfTotalOperators;
            operatorsIdsByAddress[account] = operatorId;
            _operators[operatorId].account = account;
        }
        Operator storage op = _operators[operatorId];
        op.blsKey = blsKey;
        op.active = true;
        numOfActiveOperators += 1;
        uint256 power = _computeVotingPower(account);
        op.votingPower = uint248(power);
        totalVotingPower += power;
        emit OperatorRegistered(operatorId, account, blsKey);
        emit VotingPowerUpdated(operatorId, account, power);
    }

    function unregisterAsOperator() external {
        uint256 operatorId = operatorsIdsByAddress[msg.sender];
        if (operatorId == 0 || !_operators[operatorId].active) revert OperatorNotRegistered(msg.sender);
        _deactivate(operatorId);
        emit OperatorUnregistered(operatorId, msg.sender);
    }

    /// @notice Stakes `amount` of `stakingContract` tokens (pulled from msg.sender) for msg.sender.
    function depositStake(address stakingContract, uint256 amount) external {
        _deposit(msg.sender, stakingContract, amount);
    }

    /// @notice Stakes on behalf of `operator` (delegation, or a deployer funding a local network).
    function depositStakeFor(address operator, address stakingContract, uint256 amount) external {
        _deposit(operator, stakingContract, amount);
    }

    /// @notice Withdraws stake. Active operators cannot withdraw; inactive ones after the delay.
    function withdrawStake(address stakingContract, uint256 amount) external {
        uint256 operatorId = operatorsIdsByAddress[msg.sender];
        if (operatorId != 0) {
            Operator storage op = _operators[operatorId];
            if (op.active || block.number < uint256(op.inactiveSinceBlock) + withdrawalDelayBlocks) {
                revert StakeLocked();
            }
        }
        uint256 staked = stakeOf[msg.sender][stakingContract];
        if (amount > staked) revert InsufficientStake();
        stakeOf[msg.sender][stakingContract] = staked - amount;
        _updateVotingPower(msg.sender);
        SafeTransfer.transfer(stakingContract, msg.sender, amount);
        emit StakeWithdrawn(msg.sender, stakingContract, amount);
    }

    /// @notice Recomputes the stored voting power of the given operators (after multiplier or cap
    /// changes). Permissionless: it only writes the value the stake implies.
    function syncVotingPower(uint256[] calldata operatorIds) external {
        uint256 n = numOfTotalOperators;
        for (uint256 i = 0; i < operatorIds.length; i++) {
            uint256 id = operatorIds[i];
            if (id == 0 || id > n) revert InvalidOperatorIndexes();
            _updateVotingPower(_operators[id].account);
        }
    }

    // ------------------------------------------------------------------ AttestationCenter only

    function setBlsKey(address account, uint256[4] calldata blsKey) external onlyRole(ATTESTATION_CENTER) {
        uint256 operatorId = operatorsIdsByAddress[account];
        if (operatorId == 0) revert OperatorNotRegistered(account);
        if (_operators[operatorId].ejected) revert OperatorIsEjected(account);
        _operators[operatorId].blsKey = blsKey;
        emit BlsKeyUpdated(operatorId, account, blsKey);
    }

    /// @notice Deactivates the operator for good: ejected operators cannot register again.
    function ejectOperator(address account) external onlyRole(ATTESTATION_CENTER) {
        uint256 operatorId = operatorsIdsByAddress[account];
        if (operatorId == 0) revert OperatorNotRegistered(account);
        Operator storage op = _operators[operatorId];
        if (op.active) _deactivate(operatorId);
        if (!op.ejected) {
            op.ejected = true;
            emit OperatorEjected(operatorId, account);
        }
    }

    /// @notice Moves up to `amount` of the operator's stake in `stakingContract` to `recipient`.
    function slashStake(address account, address stakingContract, uint256 amount, address recipient)
        external
        onlyRole(ATTESTATION_CENTER)
        returns (uint256 slashed)
    {
        if (!isStakingContract[stakingContract]) revert UnknownStakingContract(stakingContract);
        slashed = _slash(account, stakingContract, amount, recipient);
        _updateVotingPower(account);
    }

    /// @notice Slashes `bps`/10 000 of every stake position of the operator to `recipient`.
    function slashStakePercentage(address account, uint256 bps, address recipient)
        external
        onlyRole(ATTESTATION_CENTER)
        returns (uint256 slashedTotal)
    {
        if (bps > BPS) revert InvalidSlashingPercentage();
        uint256 n = _stakingContracts.length;
        for (uint256 i = 0; i < n; i++) {
            address sc = _stakingContracts[i];
            slashedTotal += _slash(account, sc, stakeOf[account][sc] * bps / BPS, recipient);
        }
        _updateVotingPower(account);
    }

    // ------------------------------------------------------------------ views

    function getOperator(uint256 operatorId)
        external
        view
        returns (address account, bool active, bool ejected, uint256 votingPower_, uint256[4] memory blsKey)
    {
        Operator storage op = _operators[operatorId];
        return (op.account, op.active, op.ejected, op.votingPower, op.blsKey);
    }

    function getOperatorAccount(uint256 operatorId) external view returns (address) {
        return _operators[operatorId].account;
    }

    function getBlsKey(uint256 operatorId) external view returns (uint256[4] memory) {
        return _operators[operatorId].blsKey;
    }

    /// @notice (id, active, voting power) of an address; id 0 when never registered.
    function operatorStatus(address account) external view returns (uint256 operatorId, bool active, uint256 power) {
        operatorId = operatorsIdsByAddress[account];
        Operator storage op = _operators[operatorId];
        return (operatorId, operatorId != 0 && op.active, op.votingPower);
    }

    function votingPower(address account) external view returns (uint256) {
        uint256 operatorId = operatorsIdsByAddress[account];
        return operatorId == 0 ? 0 : _operators[operatorId].votingPower;
    }

    function isActiveOperator(address account) external view returns (bool) {
        uint256 operatorId = operatorsIdsByAddress[account];
        return operatorId != 0 && _operators[operatorId].active;
    }

    function getStakingContracts() external view returns (address[] memory contracts, uint256[] memory multipliers) {
        contracts = _stakingContracts;
        multipliers = new uint256[](contracts.length);
        for (uint256 i = 0; i < contracts.length; i++) {
            multipliers[i] = stakingContractMultiplier[contracts[i]];
        }
    }

    /// @notice The voting power the operator's stake implies now (may differ from the stored value
    /// until the next sync).
    function computeVotingPower(address account) external view returns (uint256) {
        return _computeVotingPower(account);
    }

    function getActiveOperatorsDetails() external view returns (OperatorDetails[] memory details) {
        uint256 n = numOfTotalOperators;
        details = new OperatorDetails[](numOfActiveOperators);
        uint256 k = 0;
        for (uint256 id = 1; id <= n; id++) {
            Operator storage op = _operators[id];
            if (op.active) details[k++] = OperatorDetails(op.account, id, op.votingPower);
        }
    }

    /// @notice Sum of voting power of active operators with at least `minimumVotingPower`, over the
    /// given ids, or over every operator when `operatorIds` is empty.
    function sumVotingPower(uint256[] calldata operatorIds, uint256 minimumVotingPower)
        external
        view
        returns (uint256 total)
    {
        if (operatorIds.length == 0) {
            uint256 n = numOfTotalOperators;
            for (uint256 id = 1; id <= n; id++) {
                total += _eligiblePower(id, minimumVotingPower);
            }
        } else {
            for (uint256 i = 0; i < operatorIds.length; i++) {
                total += _eligiblePower(operatorIds[i], minimumVotingPower);
            }
        }
    }

    /// @notice For submitTask: ids must be strictly increasing, active, each with at least
    /// `minimumVotingPower`. Returns the sum of their G2 keys (affine) and of their voting power.
    function aggregateAttesters(uint256[] calldata operatorIds, uint256 minimumVotingPower)
        external
        view
        returns (uint256[4] memory aggregateKey, uint256 signedVotingPower)
    {
        uint256[6] memory acc = BN254.g2Accumulator();
        uint256 previous = 0;
        for (uint256 i = 0; i < operatorIds.length; i++) {
            uint256 id = operatorIds[i];
            if (id <= previous) revert InvalidOperatorIndexes();
            previous = id;
            Operator storage op = _operators[id];
            if (!op.active) revert InactiveOperator(id);
            uint256 power = op.votingPower;
            if (power < minimumVotingPower) revert OperatorDoesNotHaveMinimumVotingPower(id);
            signedVotingPower += power;
            BN254.g2AddAffine(acc, op.blsKey);
        }
        aggregateKey = BN254.g2ToAffine(acc);
    }

    /// @notice Sum of the registered keys of strictly increasing ids, active or not (slashing proofs).
    function aggregateBlsKeys(uint256[] calldata operatorIds) external view returns (uint256[4] memory) {
        uint256[6] memory acc = BN254.g2Accumulator();
        uint256 previous = 0;
        uint256 n = numOfTotalOperators;
        for (uint256 i = 0; i < operatorIds.length; i++) {
            uint256 id = operatorIds[i];
            if (id <= previous || id > n) revert InvalidOperatorIndexes();
            previous = id;
            BN254.g2AddAffine(acc, _operators[id].blsKey);
        }
        return BN254.g2ToAffine(acc);
    }

    // ------------------------------------------------------------------ internals

    function _eligiblePower(uint256 id, uint256 minimumVotingPower) private view returns (uint256) {
        Operator storage op = _operators[id];
        uint256 power = op.votingPower;
        return op.active && power >= minimumVotingPower ? power : 0;
    }

    function _deposit(address operator, address stakingContract, uint256 amount) private {
        if (!isStakingContract[stakingContract]) revert UnknownStakingContract(stakingContract);
        if (operator == address(0)) revert ZeroAddress();
        SafeTransfer.transferFrom(stakingContract, msg.sender, address(this), amount);
        stakeOf[operator][stakingContract] += amount;
        _updateVotingPower(operator);
        emit StakeDeposited(operator, stakingContract, msg.sender, amount);
    }

    function _slash(address account, address stakingContract, uint256 amount, address recipient)
        private
        returns (uint256 slashed)
    {
        uint256 staked = stakeOf[account][stakingContract];
        slashed = amount > staked ? staked : amount;
        if (slashed == 0) return 0;
        stakeOf[account][stakingContract] = staked - slashed;
        SafeTransfer.transfer(stakingContract, recipient, slashed);
        emit StakeSlashed(account, stakingContract, slashed, recipient);
    }

    function _deactivate(uint256 operatorId) private {
        Operator storage op = _operators[operatorId];
        op.active = false;
        op.inactiveSinceBlock = uint64(block.number);
        numOfActiveOperators -= 1;
        totalVotingPower -= op.votingPower;
    }

    function _computeVotingPower(address account) private view returns (uint256 power) {
        uint256 n = _stakingContracts.length;
        for (uint256 i = 0; i < n; i++) {
            address sc = _stakingContracts[i];
            uint256 staked = stakeOf[account][sc];
            if (staked != 0) power += staked * stakingContractMultiplier[sc] / WAD;
        }
        uint256 cap = maxEffectiveBalance;
        if (cap != 0 && power > cap) power = cap;
        if (power > type(uint248).max) power = type(uint248).max;
    }

    function _updateVotingPower(address account) private {
        uint256 operatorId = operatorsIdsByAddress[account];
        if (operatorId == 0) return;
        Operator storage op = _operators[operatorId];
        uint256 before = op.votingPower;
        uint256 power = _computeVotingPower(account);
        if (power == before) return;
        op.votingPower = uint248(power);
        if (op.active) totalVotingPower = totalVotingPower - before + power;
        emit VotingPowerUpdated(operatorId, account, power);
    }
}

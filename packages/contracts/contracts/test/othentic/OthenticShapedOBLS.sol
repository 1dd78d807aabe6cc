// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BN254} from "../../BN254.sol";

/// @title OthenticShapedOBLS (test contract)
/// @notice Our own small contract with the public surface of an Othentic v2 OBLS (OTHENTIC-INTEROP.md §1):
/// BLS keys, voting power and the active flag per 1-based operator id, the network total and the
/// per-task-definition snapshot. Written from the documented interface only, for testing Wisp's
/// Othentic backend; never deploy it for real. Created by OthenticShapedAttestationCenter, which
/// alone changes operators; `admin` may also set the per-definition totals (internal task 10002's job).
contract OthenticShapedOBLS {
    struct Operator {
        uint256[4] blsKey;
        uint256 votingPower;
        bool isActive;
    }

    error OnlyAttestationCenter();
    error OnlyAttestationCenterOrAdmin();
    error InactiveOperator(uint256 operatorIndex);
    error InvalidOperatorIndexes();
    error OperatorDoesNotHaveMinimumVotingPower(uint256 operatorIndex);
    error InsufficientVotingPower();
    error InvalidOBLSSignature();

    event TotalVotingPowerPerTaskDefinitionSet(uint256 indexed taskDefinitionId, uint256 votingPower);

    address public immutable attestationCenter;
    address public immutable admin;

    uint256 public totalVotingPower;
    mapping(uint256 => Operator) internal _operators;
    mapping(uint256 => uint256) internal _totalPerDefinition;

    modifier onlyAttestationCenter() {
        if (msg.sender != attestationCenter) revert OnlyAttestationCenter();
        _;
    }

    constructor(address admin_) {
        attestationCenter = msg.sender;
        admin = admin_;
    }

    // ------------------------------------------------------------------ writes (by the AttestationCenter)

    function registerOperator(uint256 id, uint256 power, uint256[4] calldata blsKey) external onlyAttestationCenter {
        Operator storage op = _operators[id];
        op.blsKey = blsKey;
        op.votingPower = power;
        op.isActive = true;
        totalVotingPower += power;
    }

    function unRegisterOperator(uint256 id) external onlyAttestationCenter {
        Operator storage op = _operators[id];
        if (!op.isActive) revert InactiveOperator(id);
        op.isActive = false;
        totalVotingPower -= op.votingPower;
    }

    function setBlsKey(uint256 id, uint256[4] calldata blsKey) external onlyAttestationCenter {
        _operators[id].blsKey = blsKey;
    }

    /// @dev Stands in for OBLS increase/decreaseOperatorVotingPower (internal task 10001).
    function setVotingPower(uint256 id, uint256 power) external onlyAttestationCenter {
        Operator storage op = _operators[id];
        if (op.isActive) totalVotingPower = totalVotingPower - op.votingPower + power;
        op.votingPower = power;
    }

    /// @notice The per-definition snapshot (0 = use the network total), as internal task 10002 sets it.
    function setTotalVotingPowerPerTaskDefinition(uint256 taskDefinitionId, uint256 power) external {
        if (msg.sender != attestationCenter && msg.sender != admin) revert OnlyAttestationCenterOrAdmin();
        _totalPerDefinition[taskDefinitionId] = power;
        emit TotalVotingPowerPerTaskDefinitionSet(taskDefinitionId, power);
    }

    // ------------------------------------------------------------------ views

    /// @notice The snapshot for the definition, or the network total when none was stored (0).
    function totalVotingPowerPerTaskDefinition(uint256 taskDefinitionId) external view returns (uint256) {
        uint256 stored = _totalPerDefinition[taskDefinitionId];
        return stored == 0 ? totalVotingPower : stored;
    }

    function votingPower(uint256 id) external view returns (uint256) {
        return _operators[id].votingPower;
    }

    function isActive(uint256 id) external view returns (bool) {
        return _operators[id].isActive;
    }

    /// @notice [x.re, x.im, y.re, y.im]; reverts InactiveOperator(id) for an inactive or unknown id.
    function getOperatorBLSPubKey(uint256 id) external view returns (uint256[4] memory) {
        Operator storage op = _operators[id];
        if (!op.isActive) revert InactiveOperator(id);
        return op.blsKey;
    }

    function hashToPoint(bytes32 domain, bytes calldata message) external view returns (uint256[2] memory) {
        return BN254.hashToPoint(domain, message);
    }

    /// @notice Reverts unless `ids` (strictly increasing, active, each with at least
    /// `minVotingPowerPerDefinition`) hold `required` voting power and their summed keys verify `signature`
    /// over the G1 point `message`.
    function verifySignature(
        uint256[2] calldata message,
        uint256[2] calldata signature,
        uint256[] calldata ids,
        uint256 required,
        uint256 minVotingPowerPerDefinition
    ) external view {
        uint256[6] memory acc = BN254.g2Accumulator();
        uint256 previous = 0;
        uint256 signed = 0;
        for (uint256 i = 0; i < ids.length; i++) {
            uint256 id = ids[i];
            if (id <= previous) revert InvalidOperatorIndexes();
            previous = id;
            Operator storage op = _operators[id];
            if (!op.isActive) revert InactiveOperator(id);
            uint256 power = op.votingPower;
            if (power < minVotingPowerPerDefinition) revert OperatorDoesNotHaveMinimumVotingPower(id);
            signed += power;
            BN254.g2AddAffine(acc, op.blsKey);
        }
        if (signed < required) revert InsufficientVotingPower();
        if (!BN254.verify(signature, BN254.g2ToAffine(acc), message)) revert InvalidOBLSSignature();
    }
}

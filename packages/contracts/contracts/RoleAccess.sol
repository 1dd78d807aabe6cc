// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttestationCenterTypes} from "./interfaces/IAttestationCenterTypes.sol";

/// @notice Minimal named-role access control. AVS_GOVERNANCE_MULTISIG administers every role
/// (including itself: grant it to a multisig, then revoke the deployer).
abstract contract RoleAccess is IAttestationCenterTypes {
    bytes32 public constant AVS_GOVERNANCE_MULTISIG = keccak256("AVS_GOVERNANCE_MULTISIG");

    mapping(bytes32 role => mapping(address account => bool)) private _roles;

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    modifier onlyRole(bytes32 role) {
        _checkRole(role, msg.sender);
        _;
    }

    constructor(address governance) {
        if (governance == address(0)) revert ZeroAddress();
        _grantRole(AVS_GOVERNANCE_MULTISIG, governance);
    }

    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _roles[role][account];
    }

    function grantRole(bytes32 role, address account) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _grantRole(role, account);
    }

    function revokeRole(bytes32 role, address account) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        _revokeRole(role, account);
    }

    function renounceRole(bytes32 role) external {
        _revokeRole(role, msg.sender);
    }

    function _checkRole(bytes32 role, address account) internal view {
        if (!_roles[role][account]) revert AccessControlUnauthorizedAccount(account, role);
    }

    function _grantRole(bytes32 role, address account) internal {
        if (account == address(0)) revert ZeroAddress();
        if (!_roles[role][account]) {
            _roles[role][account] = true;
            emit RoleGranted(role, account, msg.sender);
        }
    }

    function _revokeRole(bytes32 role, address account) internal {
        if (_roles[role][account]) {
            _roles[role][account] = false;
            emit RoleRevoked(role, account, msg.sender);
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RoleAccess} from "./RoleAccess.sol";
import {SafeTransfer} from "./SafeTransfer.sol";

/// @notice Holds the AVS's reward funds (one ERC-20, or native currency when `token` is zero) and
/// slashed stake. Only the AttestationCenter (role ATTESTATION_CENTER) pays out; governance may withdraw.
contract AvsTreasury is RoleAccess {
    bytes32 public constant ATTESTATION_CENTER = keccak256("ATTESTATION_CENTER");

    address public immutable token;

    event Paid(address indexed to, uint256 amount);
    event Withdrawn(address indexed token, address indexed to, uint256 amount);

    constructor(address governance, address token_) RoleAccess(governance) {
        token = token_;
    }

    receive() external payable {}

    function balance() public view returns (uint256) {
        if (token == address(0)) return address(this).balance;
        (bool ok, bytes memory ret) = token.staticcall(abi.encodeWithSelector(0x70a08231, address(this)));
        return ok && ret.length >= 32 ? abi.decode(ret, (uint256)) : 0;
    }

    function pay(address to, uint256 amount) external onlyRole(ATTESTATION_CENTER) {
        if (amount == 0) return;
        if (token == address(0)) SafeTransfer.sendNative(to, amount);
        else SafeTransfer.transfer(token, to, amount);
        emit Paid(to, amount);
    }

    /// @notice Governance withdrawal of any asset (e.g. slashed stake tokens); `asset` zero = native.
    function withdraw(address asset, address to, uint256 amount) external onlyRole(AVS_GOVERNANCE_MULTISIG) {
        if (asset == address(0)) SafeTransfer.sendNative(to, amount);
        else SafeTransfer.transfer(asset, to, amount);
        emit Withdrawn(asset, to, amount);
    }
}

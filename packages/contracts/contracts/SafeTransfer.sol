// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttestationCenterTypes} from "./interfaces/IAttestationCenterTypes.sol";

/// @notice ERC-20 and native transfers that revert on failure and accept tokens without return values.
library SafeTransfer {
    function transfer(address token, address to, uint256 amount) internal {
        _call(token, abi.encodeWithSelector(0xa9059cbb, to, amount));
    }

    function transferFrom(address token, address from, address to, uint256 amount) internal {
        _call(token, abi.encodeWithSelector(0x23b872dd, from, to, amount));
    }

    function sendNative(address to, uint256 amount) internal {
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert IAttestationCenterTypes.NativeTransferFailed(to);
    }

    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || token.code.length == 0 || (ret.length != 0 && !abi.decode(ret, (bool)))) {
            revert IAttestationCenterTypes.TokenTransferFailed(token);
        }
    }
}

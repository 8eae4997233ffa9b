/**
 * Session secrets derived from a completed auth/ack exchange (rlpx.md
 * "Initial Handshake" and "MAC"). Pure data: the frame codec turns the MAC
 * seeds into running keccak states.
 */
import { concatBytes, xorBytes } from '../bytes.js';
import { keccak256, type PublicKey } from '../keys.js';

export interface SessionSecrets {
  /** True on the side that sent auth. */
  initiator: boolean;
  /** The remote node's static public key (64 bytes). */
  remotePublicKey: PublicKey;
  /** ecdh.agree(ephemeral-privkey, remote-ephemeral-pubk), the x coordinate. */
  ephemeralKey: Uint8Array;
  sharedSecret: Uint8Array;
  aesSecret: Uint8Array;
  macSecret: Uint8Array;
  /** (mac-secret ^ nonce) || packet: what the egress keccak state absorbs first. */
  egressMacSeed: Uint8Array;
  ingressMacSeed: Uint8Array;
}

export interface SecretInputs {
  initiator: boolean;
  remotePublicKey: PublicKey;
  ephemeralKey: Uint8Array;
  initiatorNonce: Uint8Array;
  recipientNonce: Uint8Array;
  /** Full wire bytes of auth and ack, including the EIP-8 size prefix. */
  authPacket: Uint8Array;
  ackPacket: Uint8Array;
}

export function deriveSecrets(inputs: SecretInputs): SessionSecrets {
  const { ephemeralKey, initiatorNonce, recipientNonce } = inputs;
  const sharedSecret = keccak256(concatBytes(ephemeralKey, keccak256(concatBytes(recipientNonce, initiatorNonce))));
  const aesSecret = keccak256(concatBytes(ephemeralKey, sharedSecret));
  const macSecret = keccak256(concatBytes(ephemeralKey, aesSecret));
  // The state that authenticates auth-side traffic is keyed with the recipient's
  // nonce and the auth packet, and the reverse for ack-side traffic.
  const authSide = concatBytes(xorBytes(macSecret, recipientNonce), inputs.authPacket);
  const ackSide = concatBytes(xorBytes(macSecret, initiatorNonce), inputs.ackPacket);
  return {
    initiator: inputs.initiator,
    remotePublicKey: inputs.remotePublicKey,
    ephemeralKey,
    sharedSecret,
    aesSecret,
    macSecret,
    egressMacSeed: inputs.initiator ? authSide : ackSide,
    ingressMacSeed: inputs.initiator ? ackSide : authSide,
  };
}

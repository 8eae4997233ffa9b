/** The RLPx layer's public surface: handshake state machines, session secrets and the frame codec. */
export {
  HandshakeInitiator,
  HandshakeRecipient,
  handshakeMessageLength,
  openAuth,
  openAck,
  sealAuth,
  sealAck,
  HANDSHAKE_VERSION,
  MAX_HANDSHAKE_SIZE,
  LEGACY_AUTH_SIZE,
  LEGACY_ACK_SIZE,
  type AuthMessage,
  type AckMessage,
  type OpenedAuth,
  type OpenedAck,
  type ReceivedAuth,
  type AckResult,
  type AckCreated,
  type HandshakeFormat,
  type HandshakeKind,
  type HandshakeOptions,
  type InitiatorOptions,
  type PreparedAuth,
  type RecipientOptions,
  type SealOptions,
  type SealAuthOptions,
} from './handshake.js';
export { deriveSecrets, type SessionSecrets, type SecretInputs } from './secrets.js';
export {
  FrameCodec,
  FrameReader,
  FrameWriter,
  SnappyFrameError,
  encodeMsgId,
  decodeMsgId,
  MAX_FRAME_SIZE,
  DEFAULT_HEADER_DATA,
  type FrameCodecOptions,
  type FrameReaderOptions,
  type FrameMessage,
  type FrameSecrets,
} from './frame.js';
export { FrameMac, createKeccakMac, type MacHash, type MacHashFactory } from './mac.js';
export { KeccakState } from './keccak.js';
export { eciesEncrypt, eciesDecrypt, concatKdf, ECIES_OVERHEAD, type EciesRandomness } from './ecies.js';
export { EcdhKey, staticEcdhKey } from './ecdh.js';
export { snappyCompress, snappyDecompress, snappyUncompressedLength, MAX_UNCOMPRESSED_SIZE } from './snappy.js';

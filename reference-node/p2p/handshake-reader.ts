/**
 * Reads exactly one handshake message off a socket. The length of an auth or
 * ack is only known after some bytes arrive (EIP-8 size prefix, or the legacy
 * fixed size), so the caller supplies the wire layer's length function.
 */
import type { Socket } from 'node:net';
import { concatBytes } from '../wire/bytes.js';

export interface HandshakeRead {
  packet: Uint8Array;
  /** Bytes that arrived after the message (the first frames may be in the same segment). */
  rest: Uint8Array;
}

export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

export class HandshakeTimeoutError extends Error {
  override readonly name = 'HandshakeTimeoutError';
}

export function readHandshakeMessage(
  socket: Socket,
  lengthOf: (buffered: Uint8Array) => number,
  timeoutMs: number,
  initial: Uint8Array = new Uint8Array(0),
): Promise<HandshakeRead> {
  return new Promise((resolve, reject) => {
    let buffered = initial;
    const finish = (err: Error | undefined, result?: HandshakeRead) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      // Pause so no segment is emitted before the next owner attaches its listener.
      socket.pause();
      if (err) reject(err);
      else resolve(result!);
    };
    const check = () => {
      let needed: number;
      try {
        needed = lengthOf(buffered);
      } catch (err) {
        finish(err as Error);
        return;
      }
      if (buffered.length >= needed) {
        finish(undefined, { packet: buffered.slice(0, needed), rest: buffered.slice(needed) });
      }
    };
    const onData = (chunk: Buffer) => {
      buffered = concatBytes(buffered, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      check();
    };
    const onClose = () => finish(new ConnectionClosedError('connection closed during the RLPx handshake'));
    const onError = (err: Error) => finish(new ConnectionClosedError(`socket error during the RLPx handshake: ${err.message}`));
    const timer = setTimeout(
      () => finish(new HandshakeTimeoutError(`no complete handshake message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.resume();
    if (buffered.length > 0) check();
  });
}

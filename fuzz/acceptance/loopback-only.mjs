/**
 * Defence in depth for a discovery node we run as a target: its UDP socket
 * may send to 127.0.0.0/8 only. With neighbour discovery and DNS peers off,
 * an @ethereumjs/devp2p DPT only answers the address a packet came from
 * (always loopback here), but a mutated Ping names other endpoints, and
 * nothing of that may ever leave this machine. Sends elsewhere are dropped
 * and counted.
 */
import { isIPv4 } from 'node:net';

export function isLoopback(address) {
  return (isIPv4(address) && address.startsWith('127.')) || address === '::1' || address === 'localhost';
}

/**
 * Wraps socket.send (both forms: (msg, port, address, cb) and (msg, offset, length, port, address, cb)).
 * Returns a function that gives how many sends were dropped.
 */
export function loopbackOnly(socket, onDrop = () => undefined) {
  const send = socket.send.bind(socket);
  let dropped = 0;
  socket.send = (msg, ...rest) => {
    // The address is the first string after the message, the port right before it; without one, Node sends to localhost.
    const i = rest.findIndex((a) => typeof a === 'string');
    const address = i >= 0 ? rest[i] : undefined;
    const port = i > 0 ? rest[i - 1] : undefined;
    if (address !== undefined && !isLoopback(address)) {
      dropped++;
      onDrop(address, port);
      return;
    }
    return send(msg, ...rest);
  };
  return () => dropped;
}

/**
 * Preload for the @ethereumjs/client child process (node --require): turns
 * Nagle's algorithm off on every TCP socket. Its RLPx writes each frame in two
 * socket.write calls, so with Nagle a request round trip on loopback waits
 * 40-90 ms for the delayed ACK; with TCP_NODELAY it takes under 1 ms
 * (../shared/notes/ethereumjs-as-peer.md).
 */
'use strict';
const net = require('node:net');

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // Stored before the connection exists and applied once it does.
  this.setNoDelay(true);
  return connect.apply(this, args);
};

const emit = net.Server.prototype.emit;
net.Server.prototype.emit = function (event, socket, ...rest) {
  if (event === 'connection' && socket instanceof net.Socket) socket.setNoDelay(true);
  return emit.call(this, event, socket, ...rest);
};

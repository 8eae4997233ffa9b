// Preloaded into @ethereumjs/client (node --require): TCP_NODELAY on every socket it opens or accepts.
// Its RLPx writes each frame in two writes, so with Nagle a request round trip on loopback stalls
// 40-90 ms (../shared/notes/ethereumjs-as-peer.md); benchmarks compare like with like.
const net = require('node:net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
const emit = net.Server.prototype.emit;
net.Server.prototype.emit = function (event, socket, ...rest) {
  if (event === 'connection' && socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
  return emit.call(this, event, socket, ...rest);
};

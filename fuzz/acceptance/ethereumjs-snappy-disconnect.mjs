/**
 * Optional preload for @ethereumjs/client in the fuzz soak
 * (`soak.js --target ethereumjs --shim-disconnect`), loaded with --import
 * after test-support/ethereumjs-client-preload.mjs.
 *
 * @ethereumjs/devp2p 10.0.0 sends its Disconnect payload without snappy after
 * a v5 Hello (EIP-706; conformance/KNOWN-DEVIATIONS.md), so our side cannot
 * read the frame, and nearly every fuzz case that ends in a Disconnect is
 * reported as that one known bug. This shim compresses the Disconnect payload
 * once both Hellos are v5, as EIP-706 asks, and changes nothing else, so the
 * campaigns can see past it. Runs with it must say so.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const clientEntry = process.env.ETHJS_CLIENT_ENTRY;
if (!clientEntry) throw new Error('ethereumjs-snappy-disconnect.mjs: ETHJS_CLIENT_ENTRY is not set');
const require = createRequire(clientEntry);
// The same file the client loads, so the same Peer class.
const devp2pMain = require.resolve('@ethereumjs/devp2p'); // .../dist/cjs/index.js; the client imports dist/esm
const peerUrl = pathToFileURL(path.join(path.dirname(devp2pMain), '..', 'esm', 'rlpx', 'peer.js')).href;
const { Peer } = await import(peerUrl);
const snappy = createRequire(devp2pMain)('snappyjs');

const DISCONNECT = 0x01;
const original = Peer.prototype._sendMessage;
Peer.prototype._sendMessage = function (code, data) {
  if (code === DISCONNECT && this._hello !== null && this._hello?.protocolVersion >= 5) return original.call(this, code, snappy.compress(data));
  return original.call(this, code, data);
};

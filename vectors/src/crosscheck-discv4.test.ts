/**
 * @ethereumjs/devp2p's DPT message decoder (an independent discv4) on our
 * discv4 vectors: same type, same signer, same fields; it rejects the bad hash
 * and bad signature. Its DPT predates EIP-868 and has no ENRRequest/Response
 * (types 5 and 6): a known gap, written down in vectors/README.md.
 */
import { decode as dptDecode } from '@ethereumjs/devp2p';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../reference-node/wire/bytes.js';
import { nodeIdOf } from '../../reference-node/wire/keys.js';
import { discv4Family } from './families/discv4.js';
import { DEFAULT_SEED, type JsonObject } from './format.js';

const hex = (b: Uint8Array) => `0x${bytesToHex(b)}`;
const TYPENAME: Record<string, string> = { ping: 'ping', pong: 'pong', findNode: 'findneighbours', neighbors: 'neighbours' };

describe('@ethereumjs/devp2p DPT decoder on the discv4 vectors', () => {
  const vectors = discv4Family.generate(DEFAULT_SEED);

  it('decodes every Ping, Pong, FindNode and Neighbors to the same type, signer and fields', () => {
    let n = 0;
    for (const v of vectors.filter((x) => x.expected)) {
      const packet = v.input.packet as JsonObject;
      const bytes = hexToBytes(v.expected!.encoded as string);
      const typename = TYPENAME[packet.type as string];
      if (typename === undefined) {
        expect(() => dptDecode(bytes), v.name).toThrow(/Invalid type/);
        continue;
      }
      const got = dptDecode(bytes);
      expect(got.typename, v.name).toBe(typename);
      // Its key is uncompressed with the 0x04 prefix; the node id is keccak256 of the 64 bytes after it.
      expect(hex(nodeIdOf(got.publicKey.subarray(1))), v.name).toBe(v.expected!.nodeId);
      const data = got.data as Record<string, unknown>;
      if ('expiration' in packet) expect(String(data.timestamp), v.name).toBe(packet.expiration);
      if (packet.type === 'ping') expect(data.version, v.name).toBe(Number(packet.version));
      if (packet.type === 'pong') expect(hex(data.hash as Uint8Array), v.name).toBe(packet.pingHash);
      if (packet.type === 'findNode') expect(hex(data.id as Uint8Array), v.name).toBe(packet.target);
      if (packet.type === 'neighbors') {
        const peers = data.peers as { id: Uint8Array; endpoint: { udpPort: number } }[];
        const nodes = packet.nodes as JsonObject[];
        expect(peers.map((p) => [hex(p.id), p.endpoint.udpPort]), v.name).toEqual(nodes.map((x) => [x.publicKey, x.udpPort]));
      }
      n++;
    }
    expect(n).toBe(7);
  });

  it('rejects the bad hash and the bad signature', () => {
    for (const name of ['bad-hash', 'bad-signature']) {
      const v = vectors.find((x) => x.name === name)!;
      expect(() => dptDecode(hexToBytes(v.input.encoded as string)), name).toThrow();
    }
  });
});

/**
 * EIP-8's Hello (p2p-hello-eip8.json): version 55 (not 22, see the file's
 * README gotcha 1), client id, capabilities, listen port, node id and the
 * extra elements, and re-encoding gives the same bytes.
 */
import { join } from 'node:path';
import { decodeHello, encodeHello } from '../../../reference-node/wire/p2p.js';
import { encodeRlp, type RlpInput } from '../../../reference-node/wire/rlp.js';
import type { FamilyReport } from '../verify.js';
import { bytes, hexOf, Problems, readJson, runChecks } from './checks.js';

interface HelloJson {
  packet: string;
  decoded: {
    protocolVersion: number;
    clientId: string;
    capabilities: { name: string; version: number }[];
    listenPort: number;
    nodeId: string;
    extraListElementsRlp: string[];
  };
}

export function checkP2pReference(dir: string): FamilyReport[] {
  const source = join(dir, 'p2p-hello-eip8.json');
  const { hello } = readJson<{ hello: HelloJson }>(source);
  return [
    runChecks('p2p', source, [
      [
        'hello',
        () => {
          const p = new Problems();
          const raw = bytes(hello.packet);
          const got = decodeHello(raw);
          const want = hello.decoded;
          p.same('protocol version', got.protocolVersion, want.protocolVersion);
          p.same('client id', got.clientId, want.clientId);
          p.same('capabilities', got.capabilities, want.capabilities);
          p.same('listen port', got.listenPort, want.listenPort);
          p.same('node id', hexOf(got.nodeId), want.nodeId);
          p.same('extra elements', got.extra.map((e) => hexOf(encodeRlp(e as RlpInput))), want.extraListElementsRlp);
          p.same('re-encoding', hexOf(encodeHello(got)), hexOf(raw));
          return p.list;
        },
      ],
    ]),
  ];
}

/**
 * How the target treats messages it must not act on: responses nobody asked
 * for, oversized and undecodable messages, block gossip after the merge, and
 * the node-data messages eth/67 removed.
 */
import { ETH_MESSAGE_CODES } from '../../../reference-node/wire/eth/codes.js';
import { MAX_MESSAGE_SIZE } from '../../../reference-node/wire/eth/limits.js';
import { encodeRlp } from '../../../reference-node/wire/rlp.js';
import { utf8 } from '../../../reference-node/wire/bytes.js';
import { check } from '../../core/failure.js';
import { perEthVersion } from '../../core/versions.js';
import { checkStillServes } from './support/headers.js';
import { expectRejected, MALFORMED_REASONS } from './support/reasons.js';
import { ask } from './support/ask.js';
import { connect } from './support/connect.js';

/**
 * eth.md says nothing about a response whose request id was never used.
 * geth drops such a message quietly; our node disconnects. Either is fine;
 * what is not: a Disconnect with a reason that does not fit, or a session
 * that stops working.
 */
export const unsolicitedResponse = perEthVersion({
  path: 'messages/unsolicited-response',
  title: 'a BlockHeaders nobody asked for is ignored or ends the session with a fitting reason; the target stays usable',
  spec: 'caps/eth.md#blockheaders-0x04',
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.send({ kind: 'BlockHeaders', requestId: 0xdead_beefn, headers: [ctx.fixture.blocks[1]!.header] });
    if (await sim.peer.staysOpen(1_000)) {
      await checkStillServes(sim, ctx.fixture, 'after an unsolicited BlockHeaders');
      return;
    }
    await expectRejected(sim.peer, 'after an unsolicited BlockHeaders', 0);
    // It dropped us: a fresh session must still be served.
    const again = await connect(ctx, { version });
    await checkStillServes(again, ctx.fixture, 'on a new session after an unsolicited BlockHeaders');
  },
});

/**
 * eth.md Basic Operation: "The practical limits for the eth protocol are
 * lower, typically 10 MiB. If a received message is larger than the limit,
 * the peer should be disconnected." 12 MiB is over the typical limit and
 * under RLPx's 16 MiB. It is a Transactions message holding one transaction
 * with 12 MiB of zero data (it compresses to almost nothing on the wire).
 */
const OVERSIZED_BYTES = 12 * 1024 * 1024;
export const messageTooLarge = perEthVersion({
  path: 'messages/too-large',
  title: 'a 12 MiB message (over the typical 10 MiB limit) drops the session',
  spec: 'caps/eth.md#basic-operation',
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    const tx = [0n, 1n, 21_000n, new Uint8Array(20), 0n, new Uint8Array(OVERSIZED_BYTES), 27n, 1n, 1n];
    const payload = encodeRlp([tx]);
    if (payload.length <= MAX_MESSAGE_SIZE) throw new Error('harness: the oversized message is not over 10 MiB');
    sim.sendRaw(ETH_MESSAGE_CODES.Transactions, payload, `eth/${version}:Transactions (${payload.length} bytes)`);
    await expectRejected(sim.peer, `after a ${payload.length}-byte Transactions message`, 8_000);
  },
});

// rlpx.md's table: 0x02 is "Breach of protocol, e.g. a malformed message, bad
// RLP"; geth sends 0x10. eth.md itself asks for no disconnect here, so SHOULD.
export const undecodableMessage = perEthVersion({
  path: 'messages/undecodable',
  title: 'a GetBlockHeaders whose payload is not the message shape drops the session (0x02 or 0x10)',
  spec: 'rlpx.md#disconnect-0x01',
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.sendRaw(ETH_MESSAGE_CODES.GetBlockHeaders, encodeRlp(utf8('not a header query')), `eth/${version}:GetBlockHeaders (a string, not a list)`);
    await expectRejected(sim.peer, 'after an undecodable GetBlockHeaders', 5_000, MALFORMED_REASONS);
  },
});

/**
 * eth.md Block Propagation: after the merge block propagation "is no longer
 * handled by the 'eth' protocol" (EIP-3675: such messages are to be
 * discarded and the peer penalised). geth drops the peer; a node that acts on
 * them could be led to a chain its consensus client never chose. SHOULD: the
 * spec's words are a note, not a rule.
 */
const POST_MERGE_VERSIONS = [68, 69, 70] as const;
export const newBlockPostMerge = perEthVersion(
  {
    path: 'messages/newblock-post-merge',
    title: 'after the merge, a NewBlock drops the session',
    spec: 'caps/eth.md#block-propagation',
    level: 'SHOULD',
    requires: ['profile:modern'],
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      const head = ctx.fixture.blocks[ctx.fixture.head.number]!;
      sim.send({ kind: 'NewBlock', block: head, td: ctx.fixture.head.td });
      await expectRejected(sim.peer, 'after a NewBlock on a post-merge chain');
    },
  },
  POST_MERGE_VERSIONS,
);

export const newBlockHashesPostMerge = perEthVersion(
  {
    path: 'messages/newblockhashes-post-merge',
    title: 'after the merge, a NewBlockHashes drops the session',
    spec: 'caps/eth.md#block-propagation',
    level: 'SHOULD',
    requires: ['profile:modern'],
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      sim.send({ kind: 'NewBlockHashes', announcements: [{ hash: ctx.randomBytes(32), number: BigInt(ctx.fixture.head.number + 1) }] });
      await expectRejected(sim.peer, 'after a NewBlockHashes on a post-merge chain');
    },
  },
  POST_MERGE_VERSIONS,
);

/**
 * eth/67 removed GetNodeData (EIP-4938): code 0x0d means nothing there. A
 * message with a code the version does not define is a breach (0x02, geth:
 * 0x10 errInvalidMsgCode); SHOULD, as eth.md says nothing of undefined codes.
 */
export const nodeDataRemoved = perEthVersion(
  {
    path: 'messages/get-node-data-removed',
    title: 'eth/67+: a GetNodeData (code 0x0d, removed) drops the session',
    spec: 'caps/eth.md#eth67-eip-4938-march-2022',
    level: 'SHOULD',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      sim.sendRaw(ETH_MESSAGE_CODES.GetNodeData, encodeRlp([sim.requestId(), [ctx.fixture.head.header.stateRoot]]), `eth/${version}:GetNodeData (undefined)`);
      await expectRejected(sim.peer, `after a GetNodeData on eth/${version}`, 5_000, MALFORMED_REASONS);
    },
  },
  [67, 68, 69, 70],
);

// eth/66 still defines GetNodeData, a request like the others, answered with
// its id (empty is fine: nodes need not keep the state trie). SHOULD: eth.md
// now keeps only the message's shape in its change log, not the old
// "require peer to return" wording.
export const nodeDataAnswered = perEthVersion(
  {
    path: 'messages/get-node-data-answered',
    title: 'eth/66: a GetNodeData is answered with a NodeData with its request id',
    spec: 'caps/eth.md#eth66-eip-2481-april-2021',
    level: 'SHOULD',
    async run(ctx, version) {
      const sim = await connect(ctx, { version });
      const hashes = [ctx.fixture.head.header.stateRoot];
      const reply = await ask(sim, { kind: 'GetNodeData', requestId: sim.requestId(), hashes }, 'NodeData', 'for the head state root');
      check(reply.values.length <= hashes.length, 'more node data values than hashes asked', `at most ${hashes.length}`, `${reply.values.length} values`);
    },
  },
  [66],
);

export const MESSAGE_TESTS = [
  ...unsolicitedResponse,
  ...messageTooLarge,
  ...undecodableMessage,
  ...newBlockPostMerge,
  ...newBlockHashesPostMerge,
  ...nodeDataRemoved,
  ...nodeDataAnswered,
];

/**
 * The Status handshake (caps/eth.md Status (0x00), EIP-2124 for the fork ID,
 * EIP-7642 for the eth/69 block range): what the target announces, and which
 * Status it must refuse or accept from us.
 */
import { bytesToHex } from '../../../reference-node/wire/bytes.js';
import type { EthVersion, Status } from '../../../reference-node/wire/eth/types.js';
import { formatForkId } from '../../../reference-node/wire/forkid.js';
import { DisconnectReason, describeDisconnectReason } from '../../../reference-node/wire/p2p.js';
import { expectSessionEnds, received } from '../../core/expect.js';
import { check, fail } from '../../core/failure.js';
import type { TestContext } from '../../core/context.js';
import { perEthVersion } from '../../core/versions.js';
import type { Fixture } from '../../fixture/fixture.js';
import { honestStatus } from '../../sim/eth-sim.js';
import { describeEnd } from '../../sim/sim-peer.js';
import { checkStillServes } from './support/headers.js';
import { expectRejected } from './support/reasons.js';
import { connect } from './support/connect.js';

const STATUS = 'caps/eth.md#status-0x00';
const FORKID_RULES = 'eips/eip-2124.md#validation-rules';
const hex = (b: Uint8Array): string => `0x${bytesToHex(b)}`;

export const ownStatus = perEthVersion({
  path: 'status/own-status',
  title: "the target's Status names the negotiated version, the fixture's network, genesis and fork ID, and its head (TD form) or block range (eth/69+)",
  spec: STATUS,
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version, noStatus: true });
    const s = received(await sim.next('Status'), "the target's Status", 'after the Hello exchange');
    const f = ctx.fixture;
    check(s.version === version, 'the Status names another version than the negotiated one', `vsn ${version}`, `vsn ${s.version}`);
    check(s.networkId === f.networkId, 'the Status names another network', `networkid ${f.networkId}`, `networkid ${s.networkId}`);
    check(hex(s.genesis) === hex(f.genesis.hash), "the Status names another genesis than the fixture's", `genesis ${hex(f.genesis.hash)}`, `genesis ${hex(s.genesis)}`);
    check(
      formatForkId(s.forkId) === formatForkId(f.forkId),
      "the Status fork ID is not the one EIP-2124 gives for the fixture's head",
      `forkid ${formatForkId(f.forkId)}`,
      `forkid ${formatForkId(s.forkId)}`,
    );
    if (s.form === 'eth66') {
      check(hex(s.head) === hex(f.head.hash), "the Status head is not the fixture's head block", `head ${hex(f.head.hash)} (block ${f.head.number})`, `head ${hex(s.head)}`);
      check(s.td === f.head.td, "the Status TD is not the fixture head's total difficulty", `td ${f.head.td}`, `td ${s.td}`);
    } else {
      check(
        s.latestBlock === BigInt(f.head.number) && hex(s.latestBlockHash) === hex(f.head.hash),
        "the Status block range does not end at the fixture's head",
        `latest ${f.head.number} ${hex(f.head.hash)}`,
        `latest ${s.latestBlock} ${hex(s.latestBlockHash)}`,
      );
      check(s.earliestBlock <= s.latestBlock, 'the Status block range is empty (earliest > latest)', `earliest <= ${s.latestBlock}`, `earliest ${s.earliestBlock}`);
    }
  },
});

/** Dials, exchanges Hello, sends `status` (made from the honest one) and returns the sim. */
async function sendStatus(ctx: TestContext, version: EthVersion, make: (honest: Status, fixture: Fixture) => Status) {
  const sim = await connect(ctx, { version, noStatus: true });
  sim.send(make(honestStatus(ctx.fixture, version), ctx.fixture));
  return sim;
}

interface RejectCase {
  path: string;
  title: string;
  spec: string;
  level: 'MUST' | 'SHOULD';
  versions?: readonly EthVersion[];
  make(honest: Status, fixture: Fixture): Status;
  after: string;
}

function rejects(c: RejectCase) {
  return perEthVersion(
    {
      path: c.path,
      title: c.title,
      spec: c.spec,
      level: c.level,
      async run(ctx, version) {
        const sim = await sendStatus(ctx, version, c.make);
        await expectRejected(sim.peer, c.after);
      },
    },
    c.versions,
  );
}

function flipped(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[0] = out[0]! ^ 0xff;
  return out;
}

// Network and genesis: eth.md gives no "must disconnect", but a peer on another
// network or chain can serve nothing of ours; every client drops it, and the
// Status exists to find that out. Hence MUST.
export const networkMismatch = rejects({
  path: 'status/network-mismatch',
  title: 'a Status with another network id is refused',
  spec: STATUS,
  level: 'MUST',
  make: (s) => ({ ...s, networkId: s.networkId + 1n }),
  after: 'after a Status with another network id',
});

export const genesisMismatch = rejects({
  path: 'status/genesis-mismatch',
  title: 'a Status with another genesis hash is refused',
  spec: STATUS,
  level: 'MUST',
  make: (s) => ({ ...s, genesis: flipped(s.genesis) }),
  after: 'after a Status with another genesis hash',
});

// The version field must be the negotiated one: a peer claiming eth/v-1 on an
// eth/v session would read and write the other version's message shapes.
export const versionMismatch = rejects({
  path: 'status/version-mismatch',
  title: 'a Status whose version is not the negotiated eth version is refused',
  spec: STATUS,
  level: 'MUST',
  make: (s) => ({ ...s, version: s.version - 1 }),
  after: 'after a Status naming the version below the negotiated one',
});

// EIP-2124 rule 4: a fork hash that is neither ours nor any past or future
// state of our chain means incompatible rules: "reject".
export const forkIdUnknownHash = rejects({
  path: 'status/forkid-unknown-hash',
  title: 'a fork ID whose hash matches no state of our fork schedule is refused (EIP-2124 rule 4)',
  spec: FORKID_RULES,
  level: 'MUST',
  make: (s) => ({ ...s, forkId: { hash: flipped(s.forkId.hash), next: 0n } }),
  after: 'after a Status with an unknown fork hash',
});

// EIP-2124 rule 1a: same fork hash, but the peer's next fork is at a block we
// have already passed without forking: our rules differ from then on. The
// value is the fixture's head number, which the target has reached.
export const forkIdPassedFork = rejects({
  path: 'status/forkid-passed-next',
  title: "a fork ID with our fork hash and a next fork at or below our head is refused (EIP-2124 rule 1a)",
  spec: FORKID_RULES,
  level: 'MUST',
  make: (s, f) => ({ ...s, forkId: { hash: f.forkId.hash, next: BigInt(Math.max(1, f.head.number)) } }),
  after: "after a Status announcing a fork at a block the target has passed",
});

/**
 * EIP-2124 rule 1b: same fork hash and a next fork we have not reached (or do
 * not know): the peer merely knows of a future fork; it must be accepted. The
 * value is a timestamp far beyond the head's (and, read as a block number,
 * beyond the head too), so it is "not yet passed" under either reading.
 */
export const forkIdFutureFork = perEthVersion({
  path: 'status/forkid-future-next',
  title: 'a fork ID with our fork hash and an unknown future fork is accepted (EIP-2124 rule 1b)',
  spec: FORKID_RULES,
  level: 'MUST',
  async run(ctx, version) {
    const far = ctx.fixture.head.header.timestamp + 1_000_000_000n;
    const sim = await sendStatus(ctx, version, (s, f) => ({ ...s, forkId: { hash: f.forkId.hash, next: far } }));
    await checkStillServes(sim, ctx.fixture, `after a Status announcing a future fork at ${far}`);
  },
});

// EIP-7642 / eth.md BlockRangeUpdate: "If earliest > latest, the peer should be
// disconnected"; the Status carries the same range, checked the same way.
export const invalidBlockRange = rejects({
  path: 'status/invalid-block-range',
  title: 'a Status whose block range has earliest > latest is refused',
  spec: 'caps/eth.md#blockrangeupdate-0x11',
  level: 'SHOULD',
  versions: [69, 70],
  make: (s) => (s.form === 'eth69' ? { ...s, earliestBlock: s.latestBlock + 1n } : s),
  after: 'after a Status with earliest > latest',
});

// eth.md: "Following the reception of the peer's Status message, the Ethereum
// session is active". A request before it belongs to no session: serving it
// would answer a peer whose chain was never checked (MUST). What the target
// does next is its choice: drop us (geth), or ignore the message and keep
// waiting for the Status, in which case the handshake must still work.
export const statusNotFirst = perEthVersion({
  path: 'status/not-first',
  title: 'a request sent before our Status is not served; the target drops us or still completes the handshake',
  spec: 'caps/eth.md#basic-operation',
  level: 'MUST',
  async run(ctx, version) {
    const sim = await connect(ctx, { version, noStatus: true });
    received(await sim.next('Status'), "the target's Status", 'after the Hello exchange');
    sim.send({ kind: 'GetBlockHeaders', requestId: sim.requestId(), origin: { number: 1n }, amount: 1n, skip: 0n, reverse: false });
    const ended = await sim.peer.waitForEnd(2_000);
    check(!sim.receivedEth().some((m) => m.kind === 'BlockHeaders'), 'the target served a request before the Status handshake', 'no BlockHeaders before our Status', 'BlockHeaders');
    if (ended) {
      await expectRejected(sim.peer, 'after a GetBlockHeaders sent instead of a Status', 0);
      return;
    }
    sim.send(honestStatus(ctx.fixture, version));
    await checkStillServes(sim, ctx.fixture, 'after a premature request and then our Status');
  },
});

// eth.md defines one Status per session and says nothing of a second one;
// geth drops the peer (errExtraStatusMsg). SHOULD for that reason.
export const statusTwice = perEthVersion({
  path: 'status/twice',
  title: 'a second Status after the handshake drops the session',
  spec: STATUS,
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await connect(ctx, { version });
    sim.send(honestStatus(ctx.fixture, version));
    await expectRejected(sim.peer, 'after a second Status');
  },
});

// eth.md sets no timer; geth waits 5 s for the Status (handshakeTimeout), and
// a node that waits forever lets idle connections fill its peer slots. We
// allow 8 s. Any way of ending the session passes.
const STATUS_TIMEOUT_ALLOWANCE_MS = 8_000;
export const statusTimeout = perEthVersion({
  path: 'status/timeout',
  title: `a peer that never sends its Status is dropped within ${STATUS_TIMEOUT_ALLOWANCE_MS / 1000} s`,
  spec: 'caps/eth.md#basic-operation',
  level: 'SHOULD',
  timeoutMs: STATUS_TIMEOUT_ALLOWANCE_MS + 5_000,
  async run(ctx, version) {
    const sim = await connect(ctx, { version, noStatus: true });
    received(await sim.next('Status'), "the target's Status", 'after the Hello exchange');
    await expectSessionEnds(sim.peer, 'while we sent no Status', STATUS_TIMEOUT_ALLOWANCE_MS);
  },
});

// Which reason: rlpx.md's 0x10 is "some other reason specific to a
// subprotocol", which is what a genesis mismatch is; geth sends it for every
// handshake error. The MUST tests above accept 0x02/0x03 too; this one says
// what the common practice is.
export const rejectReason = perEthVersion({
  path: 'status/reject-reason',
  title: 'a Status with another genesis is refused with Disconnect 0x10 (subprotocol error)',
  spec: 'rlpx.md#disconnect-0x01',
  level: 'SHOULD',
  async run(ctx, version) {
    const sim = await sendStatus(ctx, version, (s) => ({ ...s, genesis: flipped(s.genesis) }));
    const end = await sim.peer.waitForEnd(5_000);
    if (end?.via === 'disconnect' && end.reason === DisconnectReason.SubprotocolError) return;
    fail('the target did not refuse a wrong genesis with Disconnect 0x10', `Disconnect ${describeDisconnectReason(DisconnectReason.SubprotocolError)}`, describeEnd(end));
  },
});

export const STATUS_TESTS = [
  ...ownStatus,
  ...networkMismatch,
  ...genesisMismatch,
  ...versionMismatch,
  ...forkIdUnknownHash,
  ...forkIdPassedFork,
  ...forkIdFutureFork,
  ...invalidBlockRange,
  ...statusNotFirst,
  ...statusTwice,
  ...statusTimeout,
  ...rejectReason,
];

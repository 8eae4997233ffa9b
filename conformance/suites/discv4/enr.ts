/**
 * Node records over discv4 (EIP-868): enr-seq in PING/PONG, ENRRequest and
 * ENRResponse, and refreshing a record the target learns is stale.
 *
 * Levels. EIP-868 says implementations "should support" the new packets, so
 * carrying enr-seq and answering ENRRequest are SHOULD. What an answer holds
 * is not optional once given: it echoes the request's hash, carries a valid v4
 * record of the key that signed the packet (discv4.md: "All records must use
 * the v4 identity scheme"), and is the record whose seq the target announces.
 * ENRRequest is a query like FINDNODE, so the endpoint proof's "must" covers
 * it; expiration is handled "as for all other existing packets" (MUST, as in
 * ping.ts).
 */
import { bytesToHex, equalBytes } from '../../../reference-node/wire/bytes.js';
import { createEnr, decodeEnr, encodeEnr, enrPublicKey, type Enr } from '../../../reference-node/wire/enr.js';
import type { TargetSession } from '../../core/context.js';
import { check, fail, TestSkip } from '../../core/failure.js';
import type { ConformanceTest } from '../../core/test.js';
import { bond, checkNotExpired, checkSigner, expectIgnored, REPLY_MS } from './checks.js';
import { expiresIn, UdpSim, type PacketOf } from './udp-sim.js';

const isEnrResponse = (d: { packet?: { packet: { type: string } } }) => d.packet?.packet.type === 'enrResponse';

const test = (id: string, title: string, spec: string, level: 'MUST' | 'SHOULD', run: ConformanceTest['run']): ConformanceTest => ({
  id: `discv4/enr/${id}`,
  title,
  spec,
  level,
  requires: ['discv4'],
  timeoutMs: 10_000,
  run,
});

/** Sends ENRRequest and waits for the ENRResponse echoing its hash; undefined when none came. */
async function requestEnr(ctx: TargetSession, sim: UdpSim, after: string): Promise<PacketOf<'enrResponse'> | undefined> {
  const hash = sim.enrRequest().subarray(0, 32);
  const w = await sim.nextPacket('enrResponse', REPLY_MS);
  if (!w.ok) return undefined;
  checkSigner(ctx, w.value, `the ENRResponse ${after}`);
  if (!equalBytes(w.value.packet.requestHash, hash)) {
    fail(`the ENRResponse ${after} does not echo our ENRRequest's hash`, `request-hash ${bytesToHex(hash).slice(0, 16)}..`, `request-hash ${bytesToHex(w.value.packet.requestHash).slice(0, 16)}..`);
  }
  return w.value;
}

/** The record in a response, decoded and verified, or a failure saying what is wrong with it. */
function verifiedRecord(ctx: TargetSession, response: PacketOf<'enrResponse'>): Enr {
  let record: Enr;
  try {
    record = decodeEnr(response.packet.enr);
  } catch (err) {
    fail('the ENRResponse holds no valid v4 record', 'a signed v4 record of at most 300 bytes', (err as Error).message);
  }
  const key = enrPublicKey(record);
  check(equalBytes(key, response.publicKey), 'the record in the ENRResponse belongs to another key than the one that signed the packet', `secp256k1 of ${bytesToHex(response.publicKey).slice(0, 16)}..`, `secp256k1 of ${bytesToHex(key).slice(0, 16)}..`);
  check(equalBytes(key, ctx.target.publicKey), "the record is not the target's", `the target's key`, `${bytesToHex(key).slice(0, 16)}..`);
  return record;
}

async function answeredEnr(ctx: TargetSession, sim: UdpSim, after: string): Promise<PacketOf<'enrResponse'>> {
  const response = await requestEnr(ctx, sim, after);
  if (!response) throw new TestSkip('the target does not answer ENRRequest (discv4/enr/request-answered says so)');
  return response;
}

export const ENR_TESTS: readonly ConformanceTest[] = [
  test('seq-in-ping-and-pong', "the target's PONG and PING carry its enr-seq", 'eips/eip-868.md#specification', 'SHOULD', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    const { pong, ping } = await bond(ctx, sim, { enrSeq: 1n });
    check(pong.packet.enrSeq !== undefined, "the target's PONG has no enr-seq", 'PONG [to, ping-hash, expiration, enr-seq]', 'no enr-seq');
    check(ping.packet.enrSeq !== undefined, "the target's PING has no enr-seq", 'PING [version, from, to, expiration, enr-seq]', 'no enr-seq');
  }),

  test('request-answered', 'an ENRRequest after the endpoint proof is answered with an ENRResponse', 'eips/eip-868.md#enrrequest-packet-0x05', 'SHOULD', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    const response = await requestEnr(ctx, sim, 'to our ENRRequest after bonding');
    if (!response) fail('expected an ENRResponse to our ENRRequest after bonding, got nothing', 'ENRResponse', `nothing within ${REPLY_MS} ms`);
  }),

  test('response-valid', "the ENRResponse holds a valid v4 record of the target's key", 'eips/eip-868.md#enrresponse-packet-0x06', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    verifiedRecord(ctx, await answeredEnr(ctx, sim, 'to our ENRRequest after bonding'));
  }),

  // enr-seq "is the current sequence number of the sending node's record"; the response holds "the current version of its record".
  test('seq-matches-pong', "the record's seq is the enr-seq the target's PONG announced", 'eips/eip-868.md#pong-packet-0x02', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    const { pong } = await bond(ctx, sim);
    const announced = pong.packet.enrSeq;
    if (announced === undefined) throw new TestSkip("the target's PONG carries no enr-seq (discv4/enr/seq-in-ping-and-pong says so)");
    const record = verifiedRecord(ctx, await answeredEnr(ctx, sim, 'to our ENRRequest after bonding'));
    check(record.seq === announced, 'the record the target serves is not the one its PONG announced', `seq ${announced}`, `seq ${record.seq}`);
  }),

  test('without-endpoint-proof', 'an ENRRequest from a node that never bonded is not answered', 'discv4.md#endpoint-proof', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    sim.enrRequest();
    await expectIgnored(ctx, sim, 'to an ENRRequest from a node that never answered a Ping of the target', (d) => !isEnrResponse(d));
  }),

  // EIP-868: "no reply should be sent if it refers to a time in the past".
  test('past-expiration', 'an expired ENRRequest is not answered', 'eips/eip-868.md#enrrequest-packet-0x05', 'MUST', async (ctx) => {
    const sim = await UdpSim.open(ctx);
    await bond(ctx, sim);
    sim.enrRequest({ expiration: expiresIn(-60) });
    await expectIgnored(ctx, sim, 'to an ENRRequest that expired 60 s ago', (d) => !isEnrResponse(d));
  }),

  /*
   * EIP-868 puts enr-seq in PING/PONG so that a node can tell its copy of a
   * record is stale, and "To resolve the current record ... send ENRRequest".
   * When to do so is not written; geth asks when a revalidation PONG announces
   * a higher seq than the record it holds. We bond, then answer every PING with
   * a PONG announcing seq 2 (the target holds no record of ours at all), and
   * wait for its ENRRequest. On a private target: our node answers the
   * target's revalidation pings, which would make it "live" in a shared
   * target's table and shrink other tests' FINDNODE answers.
   */
  {
    id: 'discv4/enr/stale-refresh',
    title: "a PONG announcing a newer record than the target holds makes it request the record",
    spec: 'eips/eip-868.md#specification',
    level: 'SHOULD',
    requires: ['discv4'],
    isolation: 'fresh',
    timeoutMs: 45_000,
    async run(ctx) {
      const target = await ctx.launch();
      const sim = await UdpSim.open(target, { name: 'peer' });
      await bond(target, sim, { enrSeq: 1n });
      sim.answerPings = 2n;
      const record = encodeEnr(createEnr({ privateKey: sim.privateKey, seq: 2n, ip: '127.0.0.1', udp: sim.port }));
      const waitMs = 20_000;
      const until = Date.now() + waitMs;
      while (Date.now() < until) {
        const w = await sim.nextPacket('enrRequest', Math.min(2_000, until - Date.now()));
        if (w.ok) {
          checkSigner(target, w.value, "the target's ENRRequest");
          checkNotExpired(w.value, "the target's ENRRequest");
          sim.send({ type: 'enrResponse', requestHash: w.value.hash, enr: record });
          return;
        }
        // Keeps us in its table (a target still starting up ignores inbound nodes) and announces seq 2 once more.
        sim.ping({ enrSeq: 2n });
      }
      fail(`the target did not request our record within ${waitMs / 1000} s, although our PINGs and PONGs announced enr-seq 2 and it holds no record of ours`, 'an ENRRequest from the target', `none within ${waitMs} ms`);
    },
  },
];

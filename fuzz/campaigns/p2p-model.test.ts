/**
 * The p2p campaign's judgement of the target's answer to our Hello, run
 * against scripted targets that refuse it with a given reason. The rules
 * (rlpx.md "Hello (0x00)" and the disconnect table, EIP-8):
 *   - one unambiguous fault gets its own reasons only: a malformed Hello
 *     0x02/0x10, another node id 0x09, a null one 0x07/0x09, no shared
 *     capability 0x03;
 *   - a malformed capability tuple may also get 0x03: a receiver that
 *     tolerates odd elements in it (as EIP-8 asks for extra Hello elements)
 *     can read it as an unknown capability and find nothing in common;
 *   - a Hello with several faults may be refused for any of them.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignContext } from '../engine/context.js';
import type { Verdict } from '../engine/types.js';
import type { MutationPlan } from '../mutate/index.js';
import { generatePrivateKey, publicKeyOf } from '../../reference-node/wire/keys.js';
import { DisconnectReason, P2pMessageId, type Capability, type Hello } from '../../reference-node/wire/p2p.js';
import { P2pCampaign, type P2pCase } from './p2p.js';
import { scriptedPeer } from './scripted-peer.js';

/** The target speaks eth/66-68, like @ethereumjs/client. */
const TARGET_HELLO: Hello = {
  protocolVersion: 5,
  clientId: 'scripted',
  capabilities: [66, 67, 68].map((version) => ({ name: 'eth', version })),
  listenPort: 0,
  nodeId: publicKeyOf(generatePrivateKey()),
  extra: [],
};

const UNMUTATED: MutationPlan = { rlp: [], bytes: [] };
// Pre-order nodes of [5, clientId, [[eth, 68]], 0, nodeId]: 0 the Hello, 1 version, 2 clientId, 3 caps, 4 the tuple, 5 its name, 6 its version, 7 listenPort, 8 nodeId.
const NAME_TWICE: MutationPlan = { rlp: [{ op: 'duplicate', node: 5, times: 1 }], bytes: [] };
const VERSION_AS_LIST: MutationPlan = { rlp: [{ op: 'bytes-to-list', node: 6 }], bytes: [] };
const PORT_LEADING_ZERO: MutationPlan = { rlp: [{ op: 'int-leading-zero', node: 7 }], bytes: [] };

function helloCase(options: { caps?: Capability[]; identity?: 'own' | 'other' | 'null'; plan?: MutationPlan }): P2pCase {
  return {
    before: [],
    hello: {
      fields: { protocolVersion: 5, clientId: 'devp2p-check/fuzz', capabilities: options.caps ?? [{ name: 'eth', version: 68 }], listenPort: 0, extra: [] },
      identity: options.identity ?? 'own',
      plan: options.plan ?? UNMUTATED,
      compress: false,
    },
    after: [],
  };
}

/** Runs the case against a target that answers our Hello with Disconnect `reason`. */
async function refusedWith(c: P2pCase, reason: number): Promise<Verdict> {
  const peer = scriptedPeer({ privateKey: generatePrivateKey(), hello: TARGET_HELLO, script: (msgId, _p, t) => msgId === P2pMessageId.Hello && t.disconnect(reason) });
  const campaign = new P2pCampaign();
  return campaign['session']({} as CampaignContext, peer, c, []);
}

const ok = { ok: true };
const wrongReason = expect.objectContaining({ ok: false, oracle: 'disconnect-reason' });
const { ProtocolBreach: BREACH, UselessPeer: USELESS, UnexpectedIdentity: IDENTITY, NullIdentity: NULL_ID, SubprotocolError: SUBPROTOCOL, TooManyPeers } = DisconnectReason;

describe('p2p model: the reasons allowed for refusing our Hello', () => {
  it('a capability tuple with its name twice ["eth", "eth", 68]: 0x02, 0x10 or 0x03', async () => {
    for (const r of [BREACH, SUBPROTOCOL, USELESS]) expect(await refusedWith(helloCase({ plan: NAME_TWICE }), r), `0x${r.toString(16)}`).toEqual(ok);
    expect(await refusedWith(helloCase({ plan: NAME_TWICE }), IDENTITY)).toEqual(wrongReason);
  });

  it('a capability version that is a list: 0x02, 0x10 or 0x03', async () => {
    expect(await refusedWith(helloCase({ plan: VERSION_AS_LIST }), USELESS)).toEqual(ok);
    expect(await refusedWith(helloCase({ plan: VERSION_AS_LIST }), BREACH)).toEqual(ok);
  });

  it('malformed outside the capabilities (listenPort with a leading zero): 0x02 or 0x10 only', async () => {
    expect(await refusedWith(helloCase({ plan: PORT_LEADING_ZERO }), BREACH)).toEqual(ok);
    expect(await refusedWith(helloCase({ plan: PORT_LEADING_ZERO }), USELESS)).toEqual(wrongReason);
  });

  it('single faults stay strict: another node id 0x09 only; no shared capability 0x03 only; null id 0x07/0x09', async () => {
    expect(await refusedWith(helloCase({ identity: 'other' }), IDENTITY)).toEqual(ok);
    expect(await refusedWith(helloCase({ identity: 'other' }), USELESS)).toEqual(wrongReason);
    expect(await refusedWith(helloCase({ caps: [{ name: 'eth', version: 70 }] }), USELESS)).toEqual(ok);
    expect(await refusedWith(helloCase({ caps: [{ name: 'eth', version: 70 }] }), IDENTITY)).toEqual(wrongReason);
    expect(await refusedWith(helloCase({ caps: [{ name: 'eth', version: 70 }] }), BREACH)).toEqual(wrongReason);
    expect(await refusedWith(helloCase({ identity: 'null' }), NULL_ID)).toEqual(ok);
    expect(await refusedWith(helloCase({ identity: 'null' }), USELESS)).toEqual(wrongReason);
  });

  it('two faults, eth/70 (or eth/69) only and another node id: 0x09 or 0x03, nothing else', async () => {
    for (const version of [69, 70]) {
      const c = helloCase({ caps: [{ name: 'eth', version }], identity: 'other' });
      expect(await refusedWith(c, IDENTITY), `eth/${version} 0x09`).toEqual(ok);
      expect(await refusedWith(c, USELESS), `eth/${version} 0x03`).toEqual(ok);
      expect(await refusedWith(c, BREACH), `eth/${version} 0x02`).toEqual(wrongReason);
    }
  });

  it('two faults, a malformed capability tuple and another node id: 0x02, 0x10, 0x03 or 0x09', async () => {
    const c = helloCase({ plan: NAME_TWICE, identity: 'other' });
    for (const r of [BREACH, SUBPROTOCOL, USELESS, IDENTITY]) expect(await refusedWith(c, r), `0x${r.toString(16)}`).toEqual(ok);
    expect(await refusedWith(c, TooManyPeers)).toEqual(wrongReason);
  });
});

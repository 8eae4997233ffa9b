/**
 * The session model's answer to an eth request sent before our Status, run
 * against scripted targets. It must agree with the conformance test
 * eth/6x/status/not-first (caps/eth.md "Basic Operation": the session is
 * active only after the peer's Status): the request must not be served; the
 * target may drop us (0x02, 0x03 or 0x10, or a plain close) or ignore it and
 * keep waiting for the Status.
 */
import { describe, expect, it } from 'vitest';
import type { CampaignContext } from '../engine/context.js';
import { encodeEthMessage } from '../../reference-node/wire/eth/messages.js';
import { generatePrivateKey } from '../../reference-node/wire/keys.js';
import { DisconnectReason } from '../../reference-node/wire/p2p.js';
import { scriptedPeer, type Script } from './scripted-peer.js';
import { SessionCommand, type Model } from './session.js';

const ETH_OFFSET = 0x10;
const GET_BLOCK_HEADERS = ETH_OFFSET + 0x03;

async function requestBeforeStatus(script: Script): Promise<{ model: Model; error: Error | undefined }> {
  const peer = scriptedPeer({ privateKey: generatePrivateKey(), shared: [{ name: 'eth', version: 68, offset: ETH_OFFSET, length: 17 }], script });
  const model: Model = { stage: 'hello' };
  try {
    await new SessionCommand({ cmd: 'request-before-status' }).run(model, { ctx: {} as CampaignContext, peer, version: 68, items: [] });
    return { model, error: undefined };
  } catch (err) {
    return { model, error: err as Error };
  }
}

/** Answers GetBlockHeaders with an empty BlockHeaders of the same id, as eth-serve-before-status does. */
const serve: Script = (msgId, _payload, t) => {
  if (msgId === GET_BLOCK_HEADERS) t.deliver(ETH_OFFSET + 0x04, encodeEthMessage(68, { kind: 'BlockHeaders', requestId: 7n, headers: [] }).payload);
};

describe('session model: an eth request before Status', () => {
  it('ignored, session kept: passes, and the model still waits for our Status', async () => {
    const r = await requestBeforeStatus(() => {});
    expect(r.error).toBeUndefined();
    expect(r.model.stage).toBe('hello');
  });

  for (const reason of [DisconnectReason.ProtocolBreach, DisconnectReason.UselessPeer, DisconnectReason.SubprotocolError]) {
    it(`dropped with 0x${reason.toString(16).padStart(2, '0')}: passes, session over`, async () => {
      const r = await requestBeforeStatus((msgId, _p, t) => msgId === GET_BLOCK_HEADERS && t.disconnect(reason));
      expect(r.error).toBeUndefined();
      expect(r.model.stage).toBe('ended');
    });
  }

  it('dropped by a plain TCP close: passes', async () => {
    const r = await requestBeforeStatus((msgId, _p, t) => msgId === GET_BLOCK_HEADERS && t.close());
    expect(r.error).toBeUndefined();
  });

  it('dropped with a reason that says something false (0x04 too many peers): a finding', async () => {
    const r = await requestBeforeStatus((msgId, _p, t) => msgId === GET_BLOCK_HEADERS && t.disconnect(DisconnectReason.TooManyPeers));
    expect(r.error?.message).toMatch(/^disconnect-reason: /);
  });

  it('served: a finding, whether the session goes on or not', async () => {
    const kept = await requestBeforeStatus(serve);
    expect(kept.error?.message).toMatch(/^unexpected-reply: .*caps\/eth\.md#basic-operation/);
    const dropped = await requestBeforeStatus((msgId, p, t) => {
      serve(msgId, p, t);
      t.disconnect(DisconnectReason.SubprotocolError);
    });
    expect(dropped.error?.message).toMatch(/^unexpected-reply: /);
  });
});

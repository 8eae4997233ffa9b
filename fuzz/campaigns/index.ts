/** The campaigns by name. */
import type { Campaign, CampaignName } from '../engine/types.js';
import { Discv4Campaign } from './discv4.js';
import { EthCampaign } from './eth.js';
import { FrameCampaign } from './frame.js';
import { HandshakeCampaign } from './handshake.js';
import { P2pCampaign } from './p2p.js';
import { SessionCampaign } from './session.js';

export function createCampaign(name: CampaignName): Campaign<unknown> {
  switch (name) {
    case 'handshake':
      return new HandshakeCampaign() as Campaign<unknown>;
    case 'frame':
      return new FrameCampaign() as Campaign<unknown>;
    case 'p2p':
      return new P2pCampaign() as Campaign<unknown>;
    case 'eth':
      return new EthCampaign() as Campaign<unknown>;
    case 'discv4':
      return new Discv4Campaign() as Campaign<unknown>;
    case 'session':
      return new SessionCampaign() as Campaign<unknown>;
  }
}

export const CAMPAIGN_SUMMARIES: Readonly<Record<CampaignName, string>> = {
  handshake: 'mutated RLPx auth messages on fresh connections (keys precomputed); ack or close as the spec says',
  frame: 'MAC, size, padding, header-data, message id and snappy attacks on frames after an honest handshake',
  p2p: 'Hello, Disconnect, Ping/Pong and reserved ids, valid and mutated, before and after Hello',
  eth: 'valid and mutated eth messages of the negotiated version inside an honest session',
  discv4: 'valid and mutated discv4 packets over UDP, bonded and not; replies bounded',
  session: 'fc.commands sequences of valid and invalid actions against a model of what the target must answer',
};

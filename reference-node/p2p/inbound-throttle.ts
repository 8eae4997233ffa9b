/**
 * Per-IP throttling of inbound connections, as geth's checkInboundConn: an IP
 * that connected within the window is turned away before any handshake work
 * (the ECIES multiplications are the expensive part of a connection). geth
 * exempts LAN addresses (loopback, RFC 1918, fc00::/7, fe80::/10, 0.0.0.0/8),
 * and so do we by default; `throttleLan` turns the exemption off, which is
 * how tests on loopback exercise the throttle.
 */
import { isLanAddress, normalizeIp } from './netutil.js';

/** geth's inboundThrottleTime. */
export const DEFAULT_INBOUND_THROTTLE_MS = 30_000;

export interface InboundThrottleOptions {
  /** How long an IP is refused after it connected; 0 turns throttling off. */
  windowMs: number;
  /** Throttle LAN and loopback addresses too (geth never does). */
  throttleLan: boolean;
  now?: () => number;
}

export class InboundThrottle {
  /** IP → time until which it is refused. */
  private readonly history = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: InboundThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * True if a connection from `ip` may proceed. A connection let through
   * (exempt ones too) starts a new window for its IP; a refused one does not
   * extend it, as in geth.
   */
  admit(rawIp: string): boolean {
    if (this.options.windowMs <= 0) return true;
    const ip = normalizeIp(rawIp);
    const now = this.now();
    this.expire(now);
    const exempt = !this.options.throttleLan && isLanAddress(ip);
    if (!exempt && this.history.has(ip)) return false;
    // Delete first so the Map's insertion order stays expiry order.
    this.history.delete(ip);
    this.history.set(ip, now + this.options.windowMs);
    return true;
  }

  get size(): number {
    return this.history.size;
  }

  clear(): void {
    this.history.clear();
  }

  private expire(now: number): void {
    // Insertion order is expiry order (the window is constant), so stop at the first live entry.
    for (const [ip, until] of this.history) {
      if (until > now) return;
      this.history.delete(ip);
    }
  }
}

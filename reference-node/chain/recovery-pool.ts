/**
 * Signature recovery on worker threads, ahead of execution. An import hands
 * over every signature of its blocks (Clique seals, transaction senders) at
 * the start; the workers recover them in block order on the other cores while
 * the main thread validates and executes, and each key lands in the recovery
 * memo, where the seal check and the VM find it. Nothing is trusted that the
 * main thread could not reproduce: a signature the workers cannot recover is
 * simply absent from the memo, the main thread recovers it itself and the
 * block fails exactly as before. A crashed or missing worker only means
 * recovery on the main thread. (geth does the same with its sender cacher,
 * core/sender_cacher.go, which recovers senders on all cores before processing.)
 *
 * Workers run the node's own recovery (wire/secp256k1-recover.js) when the
 * node runs compiled. From TypeScript sources (the tests) a worker cannot load
 * a .ts module, so it runs the same calls on @noble/curves that keys.ts made
 * before the fast recovery, which the tests check against recoverPublicKey.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { rememberRecovered } from './recovery-memo.js';

export interface SignatureJob {
  digest: Uint8Array;
  /** r || s || v, v in {0, 1}. */
  signature: Uint8Array;
}

/** Worker code: `recover(digest, r || s, v)` returns 0x04 || x || y, or throws. */
const workerSource = (recoverModule: string): string => `
import { parentPort } from 'node:worker_threads';
${recoverModule}
parentPort.on('message', ({ id, digests, signatures }) => {
  const count = digests.length / 32;
  const out = new Uint8Array(count * 65);
  for (let i = 0; i < count; i++) {
    const v = signatures[i * 65 + 64];
    if (v > 1) continue;
    try {
      const point = recover(digests.subarray(i * 32, i * 32 + 32), signatures.subarray(i * 65, i * 65 + 64), v);
      out[i * 65] = 1;
      out.set(point.subarray(1), i * 65 + 1);
    } catch {}
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

function recoverModule(): string {
  if (import.meta.url.endsWith('.js')) {
    const url = new URL('../wire/secp256k1-recover.js', import.meta.url).href;
    return `import { recoverUncompressed } from ${JSON.stringify(url)};
const big = (b) => BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'));
const recover = (digest, rs, v) => recoverUncompressed(digest, big(rs.subarray(0, 32)), big(rs.subarray(32, 64)), v);`;
  }
  const url = pathToFileURL(createRequire(import.meta.url).resolve('@noble/curves/secp256k1.js')).href;
  return `import { secp256k1 } from ${JSON.stringify(url)};
const recover = (digest, rs, v) => secp256k1.Signature.fromBytes(rs, 'compact').addRecoveryBit(v).recoverPublicKey(digest).toBytes(false);`;
}

interface Pending {
  jobs: readonly SignatureJob[];
  done: () => void;
}

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private broken = false;

  constructor(private readonly worker: Worker) {
    worker.unref();
    worker.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
      const p = this.pending.get(id);
      if (p === undefined) return;
      this.pending.delete(id);
      p.jobs.forEach((job, i) => {
        if (out[i * 65] === 1) rememberRecovered(job.digest, job.signature, out.slice(i * 65 + 1, i * 65 + 65));
      });
      this.settle(p);
    });
    // A dead worker recovers nothing more: its jobs fall back to the main thread.
    const fail = () => {
      this.broken = true;
      for (const p of this.pending.values()) this.settle(p);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
  }

  get usable(): boolean {
    return !this.broken;
  }

  private settle(p: Pending): void {
    p.done();
    if (this.pending.size === 0) this.worker.unref();
  }

  post(id: number, jobs: readonly SignatureJob[]): Promise<void> {
    return new Promise((resolve) => {
      const digests = new Uint8Array(jobs.length * 32);
      const signatures = new Uint8Array(jobs.length * 65);
      jobs.forEach((job, i) => {
        digests.set(job.digest, i * 32);
        signatures.set(job.signature, i * 65);
      });
      this.pending.set(id, { jobs, done: resolve });
      // Keep the process alive while an import waits on the answer.
      this.worker.ref();
      this.worker.postMessage({ id, digests, signatures }, [digests.buffer, signatures.buffer]);
    });
  }
}

export class RecoveryPool {
  private workers: PoolWorker[] | undefined;
  private nextId = 0;

  constructor(readonly size: number) {}

  private start(): PoolWorker[] {
    if (this.workers === undefined) {
      const url = new URL(`data:text/javascript,${encodeURIComponent(workerSource(recoverModule()))}`);
      this.workers = Array.from({ length: this.size }, () => new PoolWorker(new Worker(url)));
    }
    return this.workers;
  }

  /**
   * Recovers `jobs` in the background into the memo. Resolves when they are
   * done (or given up); never rejects. Batches are served in the order given.
   */
  recover(jobs: readonly SignatureJob[]): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    const usable = this.start().filter((w) => w.usable);
    if (usable.length === 0) return Promise.resolve();
    const least = usable.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return least.post(this.nextId++, jobs);
  }
}

let shared: RecoveryPool | undefined;

/**
 * The process-wide pool, started on first use: one worker per core but one,
 * which the main thread keeps for validation and execution. Workers idle
 * without holding the process open.
 */
export function sharedRecoveryPool(): RecoveryPool {
  shared ??= new RecoveryPool(Math.max(1, availableParallelism() - 1));
  return shared;
}

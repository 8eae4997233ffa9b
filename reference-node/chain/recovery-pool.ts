/**
 * Signature recovery on worker threads, ahead of execution. An import hands
 * over every signature of its blocks (Clique seals, transaction senders) at
 * the start; the workers recover them in block order on the other cores while
 * the main thread validates and executes. (geth does the same with its sender
 * cacher, core/sender_cacher.go, which recovers senders on all cores before
 * processing.)
 *
 * The main thread never waits for a worker: jobs live in shared memory, and
 * each is claimed once, by a worker or by the main thread, with a
 * compare-and-swap on its status word. Before a block runs, the main thread
 * takes that block's jobs: finished ones go into the recovery memo, where the
 * seal check and the VM find them; the others are left to the main thread's
 * own recovery path, as if there were no pool (those not started are claimed,
 * so no worker starts them late). So when the other cores are busy (a loaded
 * machine) the import costs what it costs without workers, and a signature is
 * recovered twice only when the main thread reaches a job a worker is in the
 * middle of. Results arrive through shared memory, so nothing depends on the
 * main thread reaching its event loop during an import.
 *
 * Nothing is trusted that the main thread could not reproduce: a signature
 * the workers cannot recover is simply absent from the memo, the main thread
 * recovers it itself and the block fails exactly as before. A crashed or
 * missing worker only means recovery on the main thread.
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

/** Status words of a job in shared memory. */
const FREE = 0;
const BY_WORKER = 1;
const DONE = 2;
const FAILED = 3;
const BY_MAIN = 4;

/**
 * Worker code: `recover(digest, r || s, v)` returns 0x04 || x || y, or
 * throws. Each message is one batch in shared memory; the worker claims its
 * jobs in order and skips those claimed already.
 */
const workerSource = (recoverModule: string): string => `
import { parentPort } from 'node:worker_threads';
${recoverModule}
parentPort.on('message', ({ status, digests, signatures, out }) => {
  for (let i = 0; i < status.length; i++) {
    if (Atomics.compareExchange(status, i, ${FREE}, ${BY_WORKER}) !== ${FREE}) continue;
    let result = ${FAILED};
    const v = signatures[i * 65 + 64];
    if (v <= 1) {
      try {
        const point = recover(digests.subarray(i * 32, i * 32 + 32), signatures.subarray(i * 65, i * 65 + 64), v);
        out.set(point.subarray(1, 65), i * 64);
        result = ${DONE};
      } catch {}
    }
    Atomics.store(status, i, result);
  }
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
const recover = (digest, rs, v) => secp256k1.Signature.fromBytes(rs.slice(), 'compact').addRecoveryBit(v).recoverPublicKey(digest.slice()).toBytes(false);`;
}

/** The jobs of one import in shared memory, as the workers see them. */
interface SharedJobs {
  status: Int32Array;
  digests: Uint8Array;
  signatures: Uint8Array;
  /** 64 bytes per job: the recovered key when its status is DONE. */
  out: Uint8Array;
}

/** The recoveries of one import, handed to the workers at once and taken back block by block. */
export class RecoveryBatch {
  constructor(
    private readonly jobs: readonly SignatureJob[],
    private readonly shared: SharedJobs,
  ) {}

  /**
   * Makes jobs [from, to) final for the main thread: recovered keys go into
   * the memo, and jobs no worker has finished are left to the caller's own
   * recovery path (those not started are claimed, so no worker starts them).
   * A job a worker is in the middle of is not waited for: on a busy machine
   * that worker may be off its core for many milliseconds, while recovering
   * here costs one recovery, and it only happens where the main thread has
   * caught up with the workers.
   */
  take(from: number, to: number): void {
    const { status, out } = this.shared;
    for (let i = from; i < to; i++) {
      const state = Atomics.compareExchange(status, i, FREE, BY_MAIN);
      if (state === DONE) {
        const job = this.jobs[i]!;
        rememberRecovered(job.digest, job.signature, out.slice(i * 64, i * 64 + 64));
      }
    }
  }

  /** Claims every job still free, so that workers skip the rest of an import that has ended. */
  close(): void {
    const { status } = this.shared;
    for (let i = 0; i < status.length; i++) Atomics.compareExchange(status, i, FREE, BY_MAIN);
  }

  /** True when every job is recovered, failed or claimed (for tests). */
  settled(): boolean {
    return this.shared.status.every((s) => s !== FREE && s !== BY_WORKER);
  }
}

export class RecoveryPool {
  private workers: Worker[] | undefined;
  private broken = 0;

  constructor(readonly size: number) {}

  private start(): Worker[] {
    if (this.workers === undefined) {
      const url = new URL(`data:text/javascript,${encodeURIComponent(workerSource(recoverModule()))}`);
      this.workers = Array.from({ length: this.size }, () => {
        const worker = new Worker(url);
        // Workers hold no promise of the main thread, so they never need to keep the process alive.
        worker.unref();
        // A dead worker recovers nothing more: its jobs are left to the main thread, like any job not finished.
        let dead = false;
        const fail = () => {
          if (!dead) this.broken++;
          dead = true;
        };
        worker.on('error', fail);
        worker.on('exit', fail);
        return worker;
      });
    }
    return this.workers;
  }

  /** Starts recovering `jobs` on the workers; take the results back with the batch. */
  recover(jobs: readonly SignatureJob[]): RecoveryBatch {
    const count = jobs.length;
    const shared: SharedJobs = {
      status: new Int32Array(new SharedArrayBuffer(count * 4)),
      digests: new Uint8Array(new SharedArrayBuffer(count * 32)),
      signatures: new Uint8Array(new SharedArrayBuffer(count * 65)),
      out: new Uint8Array(new SharedArrayBuffer(count * 64)),
    };
    jobs.forEach((job, i) => {
      shared.digests.set(job.digest, i * 32);
      shared.signatures.set(job.signature, i * 65);
    });
    const batch = new RecoveryBatch(jobs, shared);
    const workers = count === 0 ? [] : this.start();
    if (workers.length === 0 || this.broken >= workers.length) batch.close();
    // Every worker gets the whole batch: they share it out through the claims.
    else for (const worker of workers) worker.postMessage(shared);
    return batch;
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

/**
 * Downloads and imports overlapped: up to `window` download tasks (each
 * yields a linked run of blocks) run ahead while earlier results are
 * imported in order, as geth's downloader keeps fetching while its importer
 * works. Results that are ready together are imported in one call (up to
 * `maxBatch` blocks), since each import is one atomic write.
 *
 * The first failure wins: the tasks still running are left to settle (their
 * errors are swallowed) and the error is thrown.
 */
import type { Block } from '../wire/block.js';
import { abortable } from './errors.js';

export interface PipelineOptions {
  /** Download tasks in flight at once. */
  window: number;
  /** Most blocks per import call. */
  maxBatch: number;
  signal: AbortSignal;
}

interface Slot {
  promise: Promise<Block[]>;
  result: Block[] | undefined;
}

/** Runs `tasks` (pulled lazily, in order) and hands their blocks to `importBatch` in order. */
export async function runPipeline(
  tasks: AsyncIterator<() => Promise<Block[]>>,
  importBatch: (blocks: Block[]) => Promise<void>,
  options: PipelineOptions,
): Promise<void> {
  const slots: Slot[] = [];
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && slots.length < options.window) {
      const next = await tasks.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const slot: Slot = { promise: next.value(), result: undefined };
      slot.promise.then(
        (blocks) => (slot.result = blocks),
        () => undefined,
      );
      slots.push(slot);
    }
  };
  try {
    await fill();
    while (slots.length > 0) {
      const batch = [...(await abortable(slots.shift()!.promise, options.signal))];
      while (slots[0]?.result !== undefined && batch.length + slots[0].result.length <= options.maxBatch) batch.push(...slots.shift()!.result!);
      // Start the next downloads before importing, so they run during the import.
      const filling = fill();
      filling.catch(() => undefined);
      if (batch.length > 0) await importBatch(batch);
      await filling;
    }
  } finally {
    for (const slot of slots) slot.promise.catch(() => undefined);
  }
}

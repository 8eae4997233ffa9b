/**
 * Import benchmark (npm run bench:import): blocks/s and ms/block for importing
 * N (default 2000; BLOCKS=n) Clique London blocks with 5 signed transfers each
 * into a fresh in-memory Chain, in batches of 128 as a sync would, with the
 * signature-recovery workers on and off. Each run starts with an empty
 * recovery memo. No ethereumjs comparison yet (the brief's @ethereumjs/vm
 * runBlock path was not written in time): this prints no ratio against it.
 */
import { Chain } from '../reference-node/chain/chain.js';
import { forgetRecovered } from '../reference-node/chain/recovery-memo.js';
import { headerHash, decodeBlockSequence } from '../reference-node/wire/block.js';
import { equalBytes } from '../reference-node/wire/bytes.js';
import { importFixture } from './import-fixture.js';

const blocks = Number(process.env.BLOCKS ?? 2000);
const fx = await importFixture(blocks, 5);
const all = decodeBlockSequence(fx.chainRlp);
const expectedHead = headerHash(all[all.length - 1]!.header);
for (const recoverAhead of [true, false]) {
  forgetRecovered();
  const chain = await Chain.open({ genesis: fx.genesis, recoverAhead });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await chain.importChainRlp(fx.chainRlp, { batchSize: 128 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (!equalBytes(chain.head().hash, expectedHead)) throw new Error('import ended at the wrong head');
  console.log(
    `ours, recovery workers ${recoverAhead ? 'on ' : 'off'}: ${blocks} blocks in ${(ms / 1000).toFixed(1)} s = ${((blocks * 1000) / ms).toFixed(1)} blocks/s, ${(ms / blocks).toFixed(1)} ms/block (process CPU ${((cpu.user + cpu.system) / 1000 / blocks).toFixed(1)} ms/block)`,
  );
  await chain.close();
}

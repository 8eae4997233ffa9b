/**
 * Child process of crash.test.ts: imports a chain.rlp into a datadir in small
 * batches and prints each new head, so the parent can kill -9 it mid-import.
 * Arguments: datadir, genesis.json, chain.rlp, batch size.
 */
import { readFileSync } from 'node:fs';
import { Chain } from './chain.js';
import { loadGenesisFile } from './genesis.js';

const [dir, genesisPath, rlpPath, batchSize] = process.argv.slice(2);
if (dir === undefined || genesisPath === undefined || rlpPath === undefined || batchSize === undefined) {
  throw new Error('usage: crash-child DATADIR GENESIS CHAIN_RLP BATCH_SIZE');
}
const chain = await Chain.open({ genesis: await loadGenesisFile(genesisPath), dir });
chain.onNewHead((head) => process.stdout.write(`head ${head.number}\n`));
await chain.importChainRlp(new Uint8Array(readFileSync(rlpPath)), { batchSize: Number(batchSize) });
process.stdout.write('done\n');
await chain.close();

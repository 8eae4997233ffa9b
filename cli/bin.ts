#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`devp2p-check: internal error: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  },
);

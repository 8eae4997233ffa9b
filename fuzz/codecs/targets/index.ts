import type { DiffTarget } from '../differential.js';
import { discv4Target } from './discv4.js';
import { enrTarget } from './enr.js';
import { ackTarget, authTarget } from './handshake.js';
import { rlpTarget } from './rlp.js';
import { snappyTarget } from './snappy.js';
import { txTarget } from './tx.js';

export const DIFF_TARGETS: readonly DiffTarget[] = [rlpTarget, discv4Target, enrTarget, authTarget, ackTarget, snappyTarget, txTarget];

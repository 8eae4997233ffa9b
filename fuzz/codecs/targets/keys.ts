/** Fixed keys for in-process differential cases: the same seed gives the same bytes. */
import { publicKeyOf } from '../../../reference-node/wire/keys.js';
import { hexToBytes } from '../../../reference-node/wire/bytes.js';

const a = hexToBytes('b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291');
const b = hexToBytes('49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee');

export const TEST_KEYS = { a, b, aPub: publicKeyOf(a), bPub: publicKeyOf(b) } as const;

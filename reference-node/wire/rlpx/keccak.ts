/**
 * A running Keccak-256 state for the RLPx MACs, on a small WebAssembly
 * permutation generated below.
 *
 * Why not a library: the MAC reads the digest of a *running* state four times
 * per frame. @noble/hashes is ~10x too slow for bulk data, and hash-wasm can
 * only read a running digest through save()/load(), whose bookkeeping cost
 * more than the hashing itself for 1 KiB frames; its initialisation is also
 * asynchronous. Here the state is 200 bytes we own, a digest is a copy plus
 * one permutation, and the module is compiled synchronously at import.
 *
 * The module exports `absorb(statePtr, dataPtr, blocks)`: it XORs `blocks`
 * 136-byte rate blocks into the 25-lane state at statePtr, permuting after
 * each (Keccak-f[1600], 24 rounds, round constants read from memory).
 */

const RATE = 136; // Keccak-256: 1600 - 2 * 256 bits

// Memory layout (one module, one page set, all offsets 8-byte aligned).
const STATE = 0; // lanes of the state being updated [0, 200)
const SCRATCH = 256; // copy finalised by digest() [256, 456)
const ROUND_CONSTANTS = 512; // 24 x u64 [512, 704)
const BLOCK = 1024; // the padded last block of a digest [1024, 1160)
const INPUT = 2048; // bulk input, a whole number of blocks
const INPUT_BLOCKS = 480; // 65280 bytes per absorb call
const PAGES = 2;

const RC = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];

// rho rotation offsets, indexed by lane x + 5y.
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

// ---- WebAssembly generation ------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Shl: 0x74,
  i64And: 0x83,
  i64Xor: 0x85,
  i64Rotl: 0x89,
};

/** The body of absorb(statePtr, dataPtr, blocks), fully unrolled within a round. */
function absorbBody(): number[] {
  const P_STATE = 0;
  const P_DATA = 1;
  const P_BLOCKS = 2;
  const a = (i: number): number => 3 + i; // 25 lanes
  const b = (i: number): number => 28 + i; // 25 rho/pi outputs
  const c = (x: number): number => 53 + x; // 5 column parities
  const D = 58;
  const ROUND = 59; // i32
  const code: number[] = [];
  const get = (l: number): void => void code.push(op.localGet, ...uleb(l));
  const set = (l: number): void => void code.push(op.localSet, ...uleb(l));
  const mem = (opcode: number, offset: number): void => void code.push(opcode, 3, ...uleb(offset));

  for (let i = 0; i < 25; i++) {
    get(P_STATE);
    mem(op.i64Load, 8 * i);
    set(a(i));
  }
  code.push(op.block, 0x40, op.loop, 0x40);
  get(P_BLOCKS);
  code.push(op.i32Eqz, op.brIf, 1);
  for (let i = 0; i < RATE / 8; i++) {
    get(a(i));
    get(P_DATA);
    mem(op.i64Load, 8 * i);
    code.push(op.i64Xor);
    set(a(i));
  }
  code.push(op.i32Const, 0);
  set(ROUND);
  code.push(op.loop, 0x40);
  // theta: column parities
  for (let x = 0; x < 5; x++) {
    get(a(x));
    for (let y = 1; y < 5; y++) {
      get(a(x + 5 * y));
      code.push(op.i64Xor);
    }
    set(c(x));
  }
  // theta applied lane by lane, fused with rho and pi: B[y, 2x+3y] = rotl(A[x,y] ^ D[x], r[x,y])
  for (let x = 0; x < 5; x++) {
    get(c((x + 4) % 5));
    get(c((x + 1) % 5));
    code.push(op.i64Const, 1, op.i64Rotl, op.i64Xor);
    set(D);
    for (let y = 0; y < 5; y++) {
      get(a(x + 5 * y));
      get(D);
      code.push(op.i64Xor);
      code.push(op.i64Const, ...uleb(ROT[x + 5 * y]!), op.i64Rotl); // offsets < 64: uleb == sleb
      set(b(y + 5 * ((2 * x + 3 * y) % 5)));
    }
  }
  // chi: A[x,y] = B[x,y] ^ (~B[x+1,y] & B[x+2,y])
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      get(b(x + 5 * y));
      get(b(((x + 1) % 5) + 5 * y));
      code.push(op.i64Const, 0x7f, op.i64Xor); // ~ as xor with -1
      get(b(((x + 2) % 5) + 5 * y));
      code.push(op.i64And, op.i64Xor);
      set(a(x + 5 * y));
    }
  }
  // iota
  get(a(0));
  get(ROUND);
  code.push(op.i32Const, 3, op.i32Shl);
  mem(op.i64Load, ROUND_CONSTANTS);
  code.push(op.i64Xor);
  set(a(0));
  get(ROUND);
  code.push(op.i32Const, 1, op.i32Add, op.localTee, ...uleb(ROUND), op.i32Const, 24, op.i32Ne, op.brIf, 0, op.end);
  // next block
  get(P_DATA);
  code.push(op.i32Const, ...sleb32(RATE), op.i32Add);
  set(P_DATA);
  get(P_BLOCKS);
  code.push(op.i32Const, 1, op.i32Sub);
  set(P_BLOCKS);
  code.push(op.br, 0, op.end, op.end);
  for (let i = 0; i < 25; i++) {
    get(P_STATE);
    get(a(i));
    mem(op.i64Store, 8 * i);
  }
  code.push(op.end);
  // 56 i64 locals (lanes, B, C, D), then the i32 round counter.
  const locals = [2, ...uleb(56), 0x7e, 1, 0x7f];
  return [...locals, ...code];
}

function sleb32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...[...text].map((ch) => ch.charCodeAt(0))];
}

function buildModule(): Uint8Array<ArrayBuffer> {
  const body = absorbBody();
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]), // type 0: (i32, i32, i32) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0x00, ...uleb(PAGES)]), // memory, min PAGES
    ...section(7, [2, ...name('absorb'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

// The project compiles without DOM typings, where the WebAssembly global is
// declared; this is the little of it used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

// Synchronous compilation is fine in Node for a module this small (a few KiB).
const instance = new WebAssembly.Instance(new WebAssembly.Module(buildModule()), {});
const absorb = instance.exports.absorb as (statePtr: number, dataPtr: number, blocks: number) => void;
const memory = new Uint8Array((instance.exports.memory as { buffer: ArrayBuffer }).buffer);
{
  const view = new DataView(memory.buffer);
  RC.forEach((rc, i) => view.setBigUint64(ROUND_CONSTANTS + 8 * i, rc, true));
}

// ---- the running state -------------------------------------------------------

/** Keccak-256 (Ethereum's, with 0x01 padding, not SHA3's 0x06) whose digest can be read at any time. */
export class KeccakState {
  private readonly lanes = new Uint8Array(200);
  private readonly tail = new Uint8Array(RATE);
  private tailLength = 0;

  update(data: Uint8Array): this {
    let off = 0;
    if (this.tailLength > 0) {
      off = Math.min(RATE - this.tailLength, data.length);
      this.tail.set(data.subarray(0, off), this.tailLength);
      this.tailLength += off;
      if (this.tailLength < RATE) return this;
      this.absorbBlocks(this.tail, 1);
      this.tailLength = 0;
    }
    while (data.length - off >= RATE) {
      const blocks = Math.min(Math.floor((data.length - off) / RATE), INPUT_BLOCKS);
      this.absorbBlocks(data.subarray(off, off + blocks * RATE), blocks);
      off += blocks * RATE;
    }
    this.tail.set(data.subarray(off), 0);
    this.tailLength = data.length - off;
    return this;
  }

  /** The 32-byte digest of everything absorbed so far; the state keeps running. */
  digest(): Uint8Array {
    memory.set(this.lanes, SCRATCH);
    const block = memory.subarray(BLOCK, BLOCK + RATE);
    block.fill(0);
    block.set(this.tail.subarray(0, this.tailLength));
    block[this.tailLength]! ^= 0x01;
    block[RATE - 1]! ^= 0x80;
    absorb(SCRATCH, BLOCK, 1);
    return memory.slice(SCRATCH, SCRATCH + 32);
  }

  private absorbBlocks(data: Uint8Array, blocks: number): void {
    memory.set(this.lanes, STATE);
    memory.set(data, INPUT);
    absorb(STATE, INPUT, blocks);
    this.lanes.set(memory.subarray(STATE, STATE + 200));
  }
}

export function keccak256Wasm(data: Uint8Array): Uint8Array {
  return new KeccakState().update(data).digest();
}

/** snappyjs (the pure-JS snappy that @ethereumjs/devp2p uses) ships no types. */
declare module 'snappyjs' {
  /** Inflates a snappy block; without maxLength it trusts the declared length. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
  const snappyjs: { uncompress: typeof uncompress; compress: typeof compress };
  export default snappyjs;
}

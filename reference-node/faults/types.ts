export interface FaultDefinition {
  /** `<layer>-<what>`, e.g. rlpx-skip-frame-mac. */
  name: string;
  /** The spec clause it breaks, in words. */
  description: string;
}

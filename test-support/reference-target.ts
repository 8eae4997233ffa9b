/**
 * A clean reference node with the modern fixture for one describe block:
 * started before its tests, stopped after. The getters are valid inside tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { cachedFixtureDir, DEFAULT_FIXTURES } from '../conformance/fixture/default-fixtures.js';
import { loadFixture, type Fixture } from '../conformance/fixture/fixture.js';
import { ReferenceTargetProvider } from '../conformance/targets/reference.js';
import type { RunningTarget } from '../conformance/targets/target.js';

export function useReferenceTarget(): { readonly fixture: Fixture; readonly target: RunningTarget } {
  let fixture: Fixture | undefined;
  let target: RunningTarget | undefined;
  beforeAll(async () => {
    fixture = await loadFixture(await cachedFixtureDir(DEFAULT_FIXTURES.modern));
    target = await new ReferenceTargetProvider().start(fixture);
  }, 300_000);
  afterAll(async () => target?.stop());
  return {
    get fixture() {
      if (!fixture) throw new Error('reference target: used outside a test');
      return fixture;
    },
    get target() {
      if (!target) throw new Error('reference target: used outside a test');
      return target;
    },
  };
}

/**
 * `--without CAP,...`: the user says the target lacks a capability its kind
 * would normally have (e.g. a client run with discovery off). Tests that
 * need it are then skipped with that reason instead of failing on a
 * configuration choice.
 */
import type { Requirement } from '../core/test.js';
import type { LaunchOptions, RunningTarget, TargetProvider } from './target.js';
import type { Fixture } from '../fixture/fixture.js';

function strip(target: RunningTarget, without: ReadonlySet<Requirement>): RunningTarget {
  const capabilities = new Set([...target.capabilities].filter((c) => !without.has(c)));
  return Object.assign(Object.create(Object.getPrototypeOf(target) as object) as RunningTarget, target, { capabilities });
}

export class WithoutCapabilities implements TargetProvider {
  constructor(
    private readonly inner: TargetProvider,
    private readonly without: ReadonlySet<Requirement>,
  ) {}

  get description(): string {
    return `${this.inner.description} (without ${[...this.without].join(', ')})`;
  }

  get canLaunchFresh(): boolean {
    return this.inner.canLaunchFresh && !this.without.has('fresh-target');
  }

  async start(fixture: Fixture): Promise<RunningTarget> {
    return strip(await this.inner.start(fixture), this.without);
  }

  async launch(fixture: Fixture, options: LaunchOptions): Promise<RunningTarget> {
    return strip(await this.inner.launch(fixture, options), this.without);
  }
}

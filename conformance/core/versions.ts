/**
 * eth tests are written once and run per version: `perEthVersion` makes one
 * test per version with the id `eth/<v>/...` and the requirement `eth/<v>`,
 * so a target that does not offer a version gets a skip that says so.
 */
import { ETH_VERSIONS, type EthVersion } from '../../reference-node/wire/eth/types.js';
import type { ConformanceTest } from './test.js';

export type EthTestTemplate = Omit<ConformanceTest, 'id' | 'requires' | 'run'> & {
  /** Id below the version: "status/genesis-mismatch" becomes "<suite>/<v>/status/genesis-mismatch". */
  path: string;
  requires?: ConformanceTest['requires'];
  run(ctx: Parameters<ConformanceTest['run']>[0], version: EthVersion): Promise<void>;
};

export function perEthVersion(template: EthTestTemplate, versions: readonly EthVersion[] = ETH_VERSIONS, suite = 'eth'): ConformanceTest[] {
  return versions.map((version) => {
    const { path, requires, run, ...rest } = template;
    return {
      ...rest,
      id: `${suite}/${version}/${path}`,
      requires: [`eth/${version}`, ...(requires ?? [])],
      run: (ctx) => run(ctx, version),
    };
  });
}

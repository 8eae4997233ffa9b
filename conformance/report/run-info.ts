/** Facts about a run that every report prints in its header. */
export interface RunInfo {
  tool: string;
  version: string;
  startedAt: string;
  wallMs: number;
  seed: string;
  /** One entry per target instance that ran tests. */
  targets: { description: string; enode: string; announcedCaps: readonly string[]; fixture: string; profile: string }[];
  /** The --run selection, if any. */
  selection?: string;
}

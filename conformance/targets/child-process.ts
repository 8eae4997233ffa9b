/**
 * A target process we started: its output kept in a ring buffer (for crash
 * verdicts), a wait for a line matching a pattern, liveness, and a stop that
 * escalates from SIGTERM to SIGKILL. The process gets its own process group
 * so a shell wrapper and everything it spawned stop together.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const LOG_LINES = 300;

/** Detached children outlive us unless we kill them; whatever is still running when we exit gets SIGKILL. */
const running = new Set<ChildTarget>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

const STOP_GRACE_MS = 5_000;

export class ChildTarget {
  private readonly lines: string[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly lineWaiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  private readonly exitWaiters: Array<() => void> = [];

  private constructor(readonly child: ChildProcess) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.onLine(line);
      });
    }
    running.add(this);
    child.on('exit', (code, signal) => {
      running.delete(this);
      this.exited = { code, signal };
      for (const w of this.exitWaiters.splice(0)) w();
    });
    child.on('error', (err) => {
      this.onLine(`spawn error: ${err.message}`);
      running.delete(this);
      this.exited ??= { code: null, signal: null };
      for (const w of this.exitWaiters.splice(0)) w();
    });
  }

  static spawn(command: string, args: readonly string[], options: { shell?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildTarget {
    const child = spawn(command, [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: options.shell ?? false,
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    return new ChildTarget(child);
  }

  alive(): boolean {
    return this.exited === undefined;
  }

  logTail(lines = 60): string {
    return this.lines.slice(-lines).join('\n');
  }

  /** The first output line (past or future) matching `re`; rejects on exit or timeout. */
  waitForLine(re: RegExp, timeoutMs: number, what: string): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const entry = {
        re,
        resolve: (m: RegExpMatchArray) => {
          cleanup();
          resolve(m);
        },
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`the process exited (${this.exitText()}) before printing ${what}; last output:\n${this.logTail(20)}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within ${timeoutMs} ms; last output:\n${this.logTail(20)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        const i = this.lineWaiters.indexOf(entry);
        if (i >= 0) this.lineWaiters.splice(i, 1);
        const j = this.exitWaiters.indexOf(onExit);
        if (j >= 0) this.exitWaiters.splice(j, 1);
      };
      if (!this.alive()) return onExit();
      this.lineWaiters.push(entry);
      this.exitWaiters.push(onExit);
    });
  }

  exitText(): string {
    if (!this.exited) return 'running';
    return this.exited.signal ? `signal ${this.exited.signal}` : `exit code ${this.exited.code}`;
  }

  async stop(): Promise<void> {
    if (!this.alive()) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  private onLine(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES) this.lines.shift();
    for (const w of [...this.lineWaiters]) {
      const m = line.match(w.re);
      if (m) w.resolve(m);
    }
  }
}

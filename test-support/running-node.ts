/**
 * Test support for whole reference nodes started in-process the way the CLI
 * starts them (startNodeFromArgs): start one with cleanup registered, call
 * its JSON-RPC, and wait for a condition with a deadline that names what was
 * awaited.
 */
import { startNodeFromArgs, type RunningNode } from '../cli/commands/node.js';

/** Starts a node on a free loopback port without discovery; `cleanups` gets its stop. */
export async function startTestNode(args: string[], cleanups: Array<() => unknown>): Promise<RunningNode> {
  const node = await startNodeFromArgs(['--port', '0', '--nodiscover', ...args]);
  cleanups.push(() => node.stop());
  return node;
}

/** A JSON-RPC call to the node's --http.port; an error reply throws with its message. */
export async function nodeRpc(node: RunningNode, method: string, params: unknown[] = []): Promise<unknown> {
  if (node.node.httpPort === undefined) throw new Error('the node was started without --http.port');
  const res = await fetch(`http://127.0.0.1:${node.node.httpPort}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const json = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result;
}

/** Polls `probe` until it gives a value other than undefined; throws after `ms` naming `what`. */
export async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined, detail: () => string = () => ''): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${detail() ? `\n${detail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

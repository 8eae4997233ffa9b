#!/usr/bin/env node
/**
 * Runs inside the client images as /hive-bin/enode.sh: prints the node's
 * enode URL from its admin_nodeInfo, which is what hive's contract asks of
 * that script. Node's fetch instead of curl + jq, so the image needs neither.
 */
const port = process.env.DEVP2P_CHECK_RPC_PORT || '8545';
try {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'admin_nodeInfo', params: [] }),
    signal: AbortSignal.timeout(5000),
  });
  const enode = (await res.json())?.result?.enode;
  if (typeof enode !== 'string') throw new Error('admin_nodeInfo gave no enode');
  console.log(enode);
} catch (err) {
  console.error(`enode.sh: ${err.message}`);
  process.exit(1);
}

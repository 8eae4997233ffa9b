#!/bin/bash
# hive-style entry point of the @ethereumjs/client image (an independent
# client to check, not part of devp2p-check).
#
# Same contract as the reference node image: /genesis.json, /chain.rlp,
# /blocks, HIVE_* chain variables, HIVE_BOOTNODE, DEVP2P_CHECK_* ports.
# Its discv4 stays off: it would ping any address it hears of
# (../shared/notes/ethereumjs-as-peer.md), so runs pass --without discv4.
set -euo pipefail

host=${DEVP2P_CHECK_HOST:-0.0.0.0}
p2p=${DEVP2P_CHECK_P2P_PORT:-30303}
rpc=${DEVP2P_CHECK_RPC_PORT:-8545}
auth=${DEVP2P_CHECK_AUTH_PORT:-8551}
data=/data
mkdir -p "$data"
# It writes log files into its working directory.
cd "$data"

node /hive-genesis.mjs /genesis.json "$data/genesis.json"
entry=/app/node_modules/@ethereumjs/client/dist/esm/bin/cli.js
flags=(--gethGenesis "$data/genesis.json" --dataDir "$data/db" --port "$p2p"
  --discV4=false --discDns=false --dnsAddr 127.0.0.1
  --rpc --rpcAddr "$host" --rpcPort "$rpc" --logLevel info --logFile false)
[ "$host" != 0.0.0.0 ] && flags+=(--extIP "$host")
[ -f /chain.rlp ] && flags+=(--loadBlocksFromRlp /chain.rlp)
if [ -d /blocks ]; then
  for f in $(ls /blocks | sort -n); do flags+=(--loadBlocksFromRlp "/blocks/$f"); done
fi
[ -n "${HIVE_BOOTNODE:-}" ] && flags+=(--bootnodes "$HIVE_BOOTNODE")
if [ -n "${HIVE_TERMINAL_TOTAL_DIFFICULTY:-}" ]; then
  echo 0x7365637265747365637265747365637265747365637265747365637265747365 > "$data/jwtsecret"
  flags+=(--rpcEngine --rpcEngineAddr "$host" --rpcEnginePort "$auth" --jwtSecret "$data/jwtsecret")
fi

# The preloads of the cmd: template (test-support/ethereumjs-command.ts): one
# copy of each @ethereumjs package, and TCP_NODELAY.
export ETHJS_CLIENT_ENTRY=$entry DEBUG=
echo "starting: @ethereumjs/client ${flags[*]}"
exec node --import /app/support/ethereumjs-client-preload.mjs --require /app/support/ethereumjs-nodelay.cjs "$entry" "${flags[@]}"

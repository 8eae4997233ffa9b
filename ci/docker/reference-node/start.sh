#!/bin/bash
# hive-style entry point of the devp2p-check reference node image.
#
# Files (hive's eth1 contract): /genesis.json (required), /chain.rlp and
# /blocks/*.rlp (imported before the node serves), HIVE_* variables for the
# chain, HIVE_BOOTNODE, HIVE_TERMINAL_TOTAL_DIFFICULTY (turns the Engine API
# on with hive's fixed JWT secret), HIVE_CLIQUE_PRIVATEKEY + HIVE_MINER
# (Clique sealing).
#
# Ports: hive's 30303 / 8545 / 8551 unless DEVP2P_CHECK_P2P_PORT,
# DEVP2P_CHECK_RPC_PORT and DEVP2P_CHECK_AUTH_PORT say otherwise: devp2p-check
# runs containers on the host network, where every instance needs ports of
# its own. DEVP2P_CHECK_HOST is the p2p bind address (hive: all interfaces).
set -euo pipefail

host=${DEVP2P_CHECK_HOST:-0.0.0.0}
p2p=${DEVP2P_CHECK_P2P_PORT:-30303}
rpc=${DEVP2P_CHECK_RPC_PORT:-8545}
auth=${DEVP2P_CHECK_AUTH_PORT:-8551}
data=/data
mkdir -p "$data"

node /hive-genesis.mjs /genesis.json "$data/genesis.json"
flags=(--datadir "$data/db" --host "$host" --port "$p2p" --http.port "$rpc" --genesis "$data/genesis.json")
[ -n "${HIVE_NETWORK_ID:-}" ] && flags+=(--networkid "$HIVE_NETWORK_ID")

# One import file: the chain, then the loose blocks in numeric order.
if [ -f /chain.rlp ] || [ -d /blocks ]; then
  : > "$data/import.rlp"
  [ -f /chain.rlp ] && cat /chain.rlp >> "$data/import.rlp"
  if [ -d /blocks ]; then
    for f in $(ls /blocks | sort -n); do cat "/blocks/$f" >> "$data/import.rlp"; done
  fi
  flags+=(--import "$data/import.rlp")
fi

# With a bootnode, dial it as hive clients do; without one, only be dialled.
if [ -n "${HIVE_BOOTNODE:-}" ]; then
  flags+=(--bootnodes "$HIVE_BOOTNODE")
else
  flags+=(--nodial)
fi

if [ -n "${HIVE_TERMINAL_TOTAL_DIFFICULTY:-}" ]; then
  echo 0x7365637265747365637265747365637265747365637265747365637265747365 > "$data/jwtsecret"
  flags+=(--authrpc.port "$auth" --authrpc.jwtsecret "$data/jwtsecret")
fi

if [ -n "${HIVE_CLIQUE_PRIVATEKEY:-}" ] && [ -n "${HIVE_MINER:-}" ]; then
  echo "${HIVE_CLIQUE_PRIVATEKEY#0x}" > "$data/signer.key"
  flags+=(--mine --miner.signer "$data/signer.key")
fi

echo "starting: node /app/dist/cli/bin.js node ${flags[*]}"
exec node /app/dist/cli/bin.js node "${flags[@]}"

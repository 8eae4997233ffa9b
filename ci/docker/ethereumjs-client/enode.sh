#!/bin/sh
# hive's /hive-bin/enode.sh: the running node's enode URL.
exec node /hive-enode.mjs

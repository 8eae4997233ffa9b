/**
 * `--target` strings to providers:
 *   reference (default) | enode://<id>@<ip>:<port> | cmd:"<template>" | docker:<image>
 */
import { parseEnode } from '../../reference-node/wire/enode.js';
import { hexToBytes } from '../../reference-node/wire/bytes.js';
import { CommandTargetProvider } from './command.js';
import { DockerTargetProvider } from './docker/provider.js';
import { EnodeTargetProvider } from './enode.js';
import { ReferenceTargetProvider } from './reference.js';
import type { TargetProvider } from './target.js';

export class TargetSpecError extends Error {
  override readonly name = 'TargetSpecError';
}

export interface TargetFlags {
  rpc?: string | undefined;
  engine?: string | undefined;
  jwtSecret?: string | undefined;
  faults?: string[] | undefined;
  /** docker: targets only. */
  dockerHost?: string | undefined;
  hiveClients?: string | undefined;
  /** "K=V,K2=V2" for the --hive-clients build. */
  dockerBuildArgs?: string | undefined;
}

/** "K=V,K2=V2" -> { K: 'V', K2: 'V2' }. */
function parseBuildArgs(text: string | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new TargetSpecError(`--docker-build-arg wants NAME=VALUE[,NAME=VALUE], got "${pair}"`);
    args[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return args;
}

function loopbackUrl(flag: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetSpecError(`--${flag} "${url}" is not a URL`);
  }
  if (!/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(parsed.hostname)) throw new TargetSpecError(`--${flag} must be a loopback URL (127.0.0.0/8 or ::1), got ${parsed.hostname}`);
  return url;
}

export function parseTargetSpec(spec: string, flags: TargetFlags = {}): TargetProvider {
  if (flags.faults?.length && spec !== 'reference') throw new TargetSpecError('--fault plants bugs in the reference node; it needs --target reference');
  if (!spec.startsWith('docker:') && (flags.dockerHost !== undefined || flags.hiveClients !== undefined || flags.dockerBuildArgs !== undefined)) {
    throw new TargetSpecError('--docker-host, --hive-clients and --docker-build-arg are for docker: targets');
  }
  if (spec === 'reference') return new ReferenceTargetProvider(flags.faults ? { faults: flags.faults } : {});
  if (spec.startsWith('enode://')) {
    let ip: string;
    try {
      ip = parseEnode(spec).ip;
    } catch (err) {
      throw new TargetSpecError(`--target ${spec}: ${(err as Error).message}`);
    }
    if (!/^127\./.test(ip) && ip !== '::1') throw new TargetSpecError(`--target must be a loopback node (127.0.0.0/8 or ::1), got ${ip}`);
    if ((flags.engine === undefined) !== (flags.jwtSecret === undefined)) throw new TargetSpecError('--engine and --jwtsecret go together');
    let jwtSecret: Uint8Array | undefined;
    if (flags.jwtSecret !== undefined) {
      const hex = flags.jwtSecret.replace(/^0x/, '');
      if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new TargetSpecError('--jwtsecret must be 32 bytes of hex');
      jwtSecret = hexToBytes(hex.toLowerCase());
    }
    return new EnodeTargetProvider(spec, {
      ...(flags.rpc ? { rpcUrl: loopbackUrl('rpc', flags.rpc) } : {}),
      ...(flags.engine && jwtSecret ? { engine: { url: loopbackUrl('engine', flags.engine), jwtSecret } } : {}),
    });
  }
  if (flags.rpc || flags.engine) throw new TargetSpecError('--rpc and --engine are for enode:// targets (cmd: targets get {rpcport} and {authport})');
  if (spec.startsWith('cmd:')) {
    const template = spec.slice(4).trim();
    if (template === '') throw new TargetSpecError('cmd: needs a command template');
    try {
      return new CommandTargetProvider(template);
    } catch (err) {
      throw new TargetSpecError(`--target cmd: ${(err as Error).message}`);
    }
  }
  if (spec.startsWith('docker:')) {
    const image = spec.slice('docker:'.length).trim();
    if (image === '') throw new TargetSpecError('docker: needs an image (docker:IMAGE), or a client name with --hive-clients DIR');
    if (flags.dockerBuildArgs !== undefined && flags.hiveClients === undefined) throw new TargetSpecError('--docker-build-arg is for the --hive-clients build');
    try {
      return new DockerTargetProvider({
        image,
        ...(flags.dockerHost !== undefined ? { dockerHost: flags.dockerHost } : {}),
        ...(flags.hiveClients !== undefined ? { hiveClients: flags.hiveClients, buildArgs: parseBuildArgs(flags.dockerBuildArgs) } : {}),
      });
    } catch (err) {
      throw new TargetSpecError(`--target ${spec}: ${(err as Error).message}`);
    }
  }
  throw new TargetSpecError(`--target "${spec}" is not reference, enode://..., cmd:"..." or docker:IMAGE`);
}

/**
 * --docker-host parsing, where containers are reached, the answer when no
 * daemon listens, and the docker: branch of --target parsing. No daemon needed.
 */
import { describe, expect, it } from 'vitest';
import { parseTargetSpec, TargetSpecError } from '../parse.js';
import { connectDocker, DEFAULT_SOCKET, describeEndpoint, isLocal, parseDockerHost, targetHostOf } from './daemon.js';
import { DockerError } from './errors.js';
import { DockerTargetProvider } from './provider.js';

describe('parseDockerHost', () => {
  it('defaults to DOCKER_HOST, then the local socket', () => {
    expect(parseDockerHost(undefined, {})).toEqual({ kind: 'unix', socketPath: DEFAULT_SOCKET });
    expect(parseDockerHost(undefined, { DOCKER_HOST: 'unix:///run/other.sock' })).toEqual({ kind: 'unix', socketPath: '/run/other.sock' });
    expect(parseDockerHost('unix:///x.sock', { DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toEqual({ kind: 'unix', socketPath: '/x.sock' });
  });

  it('reads tcp, bare host:port, TLS and ssh forms', () => {
    expect(parseDockerHost('tcp://127.0.0.1:2375', {})).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2375, tls: false });
    expect(parseDockerHost('127.0.0.1:4243', {})).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4243, tls: false });
    // 2376 is the TLS port by convention, as the docker CLI treats it.
    expect(parseDockerHost('tcp://10.1.2.3:2376', {})).toMatchObject({ tls: true });
    expect(parseDockerHost('tcp://10.1.2.3:2375', { DOCKER_TLS_VERIFY: '1' })).toMatchObject({ tls: true });
    expect(parseDockerHost('ssh://ci@builder.example:2222', {})).toEqual({ kind: 'ssh', host: 'builder.example', port: 2222, username: 'ci' });
    expect(describeEndpoint(parseDockerHost('tcp://[::1]:2375', {}))).toBe('tcp://::1:2375');
  });

  it('refuses what is not a daemon address', () => {
    expect(() => parseDockerHost('ftp://x:1', {})).toThrow(DockerError);
    expect(() => parseDockerHost('tcp://', {})).toThrow(DockerError);
  });

  it('reaches containers of a local daemon on 127.0.0.1 and of a remote one at its address', async () => {
    expect(isLocal(parseDockerHost(undefined, {}))).toBe(true);
    expect(isLocal(parseDockerHost('tcp://127.0.0.1:2375', {}))).toBe(true);
    expect(isLocal(parseDockerHost('tcp://10.9.8.7:2375', {}))).toBe(false);
    expect(await targetHostOf(parseDockerHost('tcp://localhost:2375', {}))).toBe('127.0.0.1');
    expect(await targetHostOf(parseDockerHost('tcp://10.9.8.7:2375', {}))).toBe('10.9.8.7');
  });

  it('says no daemon answers, and how to fix it, for a socket nobody listens on', async () => {
    const err = await connectDocker({ kind: 'unix', socketPath: '/nonexistent/docker.sock' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerError);
    expect((err as DockerError).code).toBe('daemon-unreachable');
    expect((err as DockerError).message).toMatch(/unix:\/\/\/nonexistent\/docker\.sock.*--docker-host/);
  });
});

describe('--target docker:', () => {
  it('makes a docker provider with the host and the hive client folder', () => {
    const p = parseTargetSpec('docker:my/client:1.2', { dockerHost: 'unix:///var/run/docker.sock', hiveClients: '/tmp/clients', dockerBuildArgs: 'BASE=x,tag=y=z' });
    expect(p).toBeInstanceOf(DockerTargetProvider);
    expect((p as DockerTargetProvider).options).toEqual({ image: 'my/client:1.2', dockerHost: 'unix:///var/run/docker.sock', hiveClients: '/tmp/clients', buildArgs: { BASE: 'x', tag: 'y=z' } });
    expect(p.description).toContain('docker:my/client:1.2');
  });

  it('refuses an empty image, docker flags on other targets, bad build args', () => {
    expect(() => parseTargetSpec('docker:', {})).toThrow(TargetSpecError);
    expect(() => parseTargetSpec('reference', { dockerHost: 'unix:///x' })).toThrow(/docker: targets/);
    expect(() => parseTargetSpec('cmd:run {port}', { hiveClients: '/x' })).toThrow(/docker: targets/);
    expect(() => parseTargetSpec('docker:x', { dockerBuildArgs: 'A=1' })).toThrow(/--hive-clients/);
    expect(() => parseTargetSpec('docker:x', { hiveClients: '/x', dockerBuildArgs: 'novalue' })).toThrow(/NAME=VALUE/);
    expect(() => parseTargetSpec('docker:x', { dockerHost: 'ftp://x:1' })).toThrow(TargetSpecError);
  });
});

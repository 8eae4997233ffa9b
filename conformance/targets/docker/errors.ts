/** What can go wrong with a docker: target, with a code a caller can act on and a message that says what to do. */
export type DockerErrorCode =
  /** No daemon answers at the endpoint. */
  | 'daemon-unreachable'
  /** The image is not on the daemon (we never pull). */
  | 'image-missing'
  /** A --hive-clients folder did not build. */
  | 'build-failed'
  /** The container exited or never became ready. */
  | 'start-failed'
  /** An image with hive's fixed ports, and those ports are taken on the host. */
  | 'ports-busy'
  /** A bad --docker-host, image name or client folder. */
  | 'config';

export class DockerError extends Error {
  override readonly name = 'DockerError';
  constructor(
    readonly code: DockerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

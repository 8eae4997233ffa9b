/** Types of loopback-only.mjs (plain JS: the DPT child process loads it without compiling). */
export declare function isLoopback(address: string): boolean;
export declare function loopbackOnly(socket: { send: (...args: never[]) => unknown }, onDrop?: (address: string, port: number | undefined) => void): () => number;

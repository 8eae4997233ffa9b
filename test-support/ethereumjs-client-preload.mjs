/**
 * Preload for the @ethereumjs/client child process (node --import): installs
 * the resolve hook that gives the client one copy of each @ethereumjs package
 * (see ethereumjs-client-resolve.mjs).
 */
import { register } from 'node:module';

register('./ethereumjs-client-resolve.mjs', import.meta.url);

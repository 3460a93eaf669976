export { startMmdsServer } from './server.js';
export type { MmdsServer, MmdsServerOptions } from './server.js';
export { TOKEN_PATH } from './respond.js';
export { TOKEN_TTL_MAX, TOKEN_TTL_MIN } from './token.js';
export { DEFAULT_SIZE_LIMIT } from './store.js';

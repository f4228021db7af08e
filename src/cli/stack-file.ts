import { join, resolve } from 'node:path';
import type { Config } from '../config.ts';

/** Where `npm start` writes what the CLI needs to reach the running embedded stack. */
export const stackFile = (config: Config) => join(resolve(config.EMBEDDED_DATA_DIR), 'stack.json');

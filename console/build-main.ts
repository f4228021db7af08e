import { buildConsole } from './build.ts';

/** `npm run build:console`, and the first step of `npm start`. */
await buildConsole();

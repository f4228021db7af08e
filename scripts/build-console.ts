import { buildConsole } from '../dev/console-build.ts';

/** `npm run build:console`, and the first step of `npm start`. */
await buildConsole();

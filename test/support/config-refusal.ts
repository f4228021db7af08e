import { ConfigError, loadConfig } from '../../src/config.ts';

/** The one message loadConfig refuses `env` with; fails the test when it accepts it or throws anything else. */
export function configRefusal(env: Record<string, string>): string {
  let refused: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    refused = error;
  }
  expect(refused).toBeInstanceOf(ConfigError);
  return (refused as Error).message;
}

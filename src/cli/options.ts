import { InvalidArgumentError, type Command } from 'commander';
import { EXIT_HELP } from './send.ts';

/**
 * A number of seconds that must be positive; commander prints the message and exits 1. A token
 * that expires on minting, or a wait that never waits, is a typo, not a wish.
 */
export const positiveSeconds = (whole: boolean) => (value: string): number => {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || (whole && !Number.isInteger(seconds))) {
    throw new InvalidArgumentError(`Must be a positive ${whole ? 'whole ' : ''}number of seconds, got "${value}".`);
  }
  return seconds;
};

/** `--timeout` and `--no-wait` for every command that sends, with the output and exit codes in its help. */
export const waiting = (command: Command): Command => command
  .option('--timeout <seconds>', 'how long to wait for the outcome', positiveSeconds(false), 30)
  .option('--no-wait', 'print what was sent and exit without waiting for the outcome')
  .addHelpText('after', EXIT_HELP);

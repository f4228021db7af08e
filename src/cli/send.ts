import { randomUUID } from 'node:crypto';
import type { CommandInput } from '../client/command-sender.ts';
import { cliContext, withSender } from './connect.ts';
import { OutcomeWatcher, outcomeOf } from './outcome.ts';

/**
 * Exit codes of the sending commands, so a script can branch without parsing JSON. 1 stays what
 * node and commander use for everything else (bad usage, broker or registry unreachable).
 */
export const EXIT = { ACCEPTED: 0, REJECTED: 2, TIMEOUT: 3 } as const;

export const EXIT_HELP = `
Exit codes: ${EXIT.ACCEPTED} accepted, ${EXIT.REJECTED} rejected (CommandRejected), ${EXIT.TIMEOUT} no outcome within --timeout, 1 any other error.
Prints one JSON line: {"commandId","applicationId","outcome","version"} when accepted (with
"listingId" when approved), {"commandId","applicationId","outcome":"CommandRejected","code","message"}
when rejected, {"sent",…,"outcome":null} on timeout; with --no-wait only {"sent","commandId","applicationId"}.`;

export interface WaitOptions { wait: boolean; timeout: number }

const print = (line: object) => console.log(JSON.stringify(line));

/** Sends one command and, unless told not to wait, prints its outcome; resolves with the exit code. */
export async function sendAndAnswer(input: CommandInput, options: WaitOptions): Promise<number> {
  // The id is chosen here, not by the sender, so the watcher knows what to look for before sending.
  const command = { ...input, commandId: input.commandId ?? randomUUID() } as CommandInput & { commandId: string };
  const sent = { sent: command.type, commandId: command.commandId, applicationId: command.applicationId };
  return withSender(cliContext(), async (sender, { kafka, serde, topics }) => {
    if (!options.wait) {
      await sender.send([command]);
      print(sent);
      return EXIT.ACCEPTED;
    }
    const { watcher, joined } = await OutcomeWatcher.at(kafka, serde, topics.events, command);
    try {
      await Promise.all([joined, sender.send([command])]);
      const event = await watcher.outcome(options.timeout * 1000);
      if (!event) {
        print({ ...sent, outcome: null });
        console.error(`No outcome within ${options.timeout} s: is the processor running? The command is on ${topics.commands} and will be applied when it is read.`);
        return EXIT.TIMEOUT;
      }
      const outcome = outcomeOf(event);
      print(outcome);
      return outcome.outcome === 'CommandRejected' ? EXIT.REJECTED : EXIT.ACCEPTED;
    } finally {
      await watcher.stop();
    }
  });
}

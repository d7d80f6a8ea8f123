// The CLI takes its streams and environment as parameters so tests can run it in-process.
import { createInterface } from 'node:readline/promises';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** For confirmation prompts (apply on a terminal). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); defaults to process signals. */
  interrupted?: Promise<string>;
}

export function processInterrupted(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

/**
 * Asks a yes/no question on the terminal; only "y" or "yes" is a yes. Ctrl-C at the prompt, or
 * `cancel` firing while it waits, is a no.
 */
export async function confirm(io: CliIo, question: string, cancel?: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: io.stdin!, output: io.stdout as NodeJS.WritableStream });
  const ac = new AbortController();
  const abort = () => ac.abort();
  rl.on('SIGINT', abort);
  cancel?.addEventListener('abort', abort, { once: true });
  try {
    if (cancel?.aborted) return false;
    return /^y(es)?$/i.test((await rl.question(question, { signal: ac.signal })).trim());
  } catch (e) {
    if (ac.signal.aborted) {
      io.stdout.write('\n');
      return false;
    }
    throw e;
  } finally {
    cancel?.removeEventListener('abort', abort);
    rl.close();
  }
}

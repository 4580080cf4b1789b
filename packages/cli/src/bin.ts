/** The `tskafka` executable. */
import { main } from './main.js';

// Exit once stdout is flushed: a finished client command must not wait on idle sockets or stdin.
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (e: unknown) => {
  process.stderr.write(`tskafka: ${(e as Error).message}\n`);
  exit(1);
});

let registered = false;

/**
 * Ends the process quietly, exit code 0, once the reader of stdout or stderr has gone
 * (`mpas-log-sync catalog | head -n 5`): what the command still had to say has nowhere to go, and
 * a closed reader is not the command's failure. Node ignores SIGPIPE, so without this the next
 * write fails with EPIPE and the process dies with a stack trace. Exit code 0 is what ripgrep
 * does (git dies of the signal, 141 in a shell): a script with `set -o pipefail` that reads only
 * the first lines does not fail. Other write errors are thrown as before.
 */
export function exitQuietlyWhenOutputCloses(): void {
  if (registered) return;
  registered = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(0);
    });
  }
}

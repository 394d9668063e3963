// Progress on standard error for the CLI commands (import, score, report): one line rewritten in place on a
// terminal, a line each otherwise (a log file, a pipe).

/** `show(line, last)`: on a terminal the line replaces the previous one, and the last one ends with a newline. */
export function statusLine(opts: { tty?: boolean; write?: (s: string) => void } = {}) {
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  return {
    tty,
    show(line: string, last: boolean): void {
      write(tty ? `\r\x1b[2K${line}${last ? '\n' : ''}` : `${line}\n`);
    },
  };
}

/** "[######......]": `share` (0–1) of `width` characters filled. */
export function bar(share: number, width: number, empty = '.'): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * width);
  return `[${'#'.repeat(filled)}${empty.repeat(width - filled)}]`;
}

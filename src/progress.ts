/**
 * A spinner line on stderr for network work that takes longer than a moment. It is drawn only on a terminal
 * (the caller decides: stderr a TTY, no --json, CI unset), appears only after a short delay so that quick
 * answers never flicker, and erases itself when the work ends, so nothing of it stays on screen or reaches a
 * pipe. stdout is never touched.
 */

/** What a piece of work can tell the person watching, e.g. how many webhooks have been fetched so far. */
export interface Progress {
  update(label: string): void;
}

export interface ProgressOptions {
  /** Draw at all. False gives a progress object that does nothing. */
  enabled: boolean;
  /** Where to draw; default stderr. */
  stream?: NodeJS.WritableStream & { columns?: number };
  /** How long the work may take before the spinner appears; default 300 ms. */
  delayMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;
/** Carriage return, then erase the whole line: the spinner redraws in place and leaves nothing behind. */
const CLEAR_LINE = '\r\x1b[2K';

const SILENT: Progress = { update: () => {} };

/** Runs `work`, showing `label` with a spinner while it lasts longer than the delay. */
export async function withProgress<T>(
  label: string,
  work: (progress: Progress) => Promise<T>,
  options: ProgressOptions,
): Promise<T> {
  if (!options.enabled) return work(SILENT);
  const stream = options.stream ?? process.stderr;
  let text = label;
  let frame = 0;
  let drawn = false;
  let ticker: NodeJS.Timeout | undefined;
  const draw = (): void => {
    // A line wider than the terminal would wrap, and \r would then erase only its last row.
    const width = Math.max(10, (stream.columns || 80) - 3);
    const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    stream.write(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length]} ${shown}`);
    frame += 1;
    drawn = true;
  };
  const starter = setTimeout(() => {
    draw();
    ticker = setInterval(draw, FRAME_MS);
  }, options.delayMs ?? 300);
  try {
    return await work({
      update: (next) => {
        text = next;
      },
    });
  } finally {
    clearTimeout(starter);
    if (ticker) clearInterval(ticker);
    if (drawn) stream.write(CLEAR_LINE);
  }
}

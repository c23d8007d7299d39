/**
 * What a command reads from and writes to the world outside it: its three streams, whether they are a terminal,
 * the terminal's width, whether colour is wanted, its environment, and where its exit code goes. The base
 * command builds one from the process ({@link processIO}); a test builds one from strings ({@link fakeIO}) and
 * runs the command in its own process, as a terminal or as a pipe. No command reads `process.stdout`,
 * `process.env` and the like directly: what it needs comes from here.
 */
import { Readable, Writable } from 'node:stream';

/** An output stream as a command uses it. */
export interface Output {
  write(text: string): boolean;
  /** True when it is a terminal. */
  readonly isTTY: boolean;
  /** The terminal's width in columns, when it is one. */
  readonly columns?: number;
  /** The stream itself, for code that needs a Node stream (prompts, spinners, waiting for `drain`). */
  readonly stream: Writable;
}

export interface IO {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Standard input; `isTTY` is true when it is a terminal. */
  readonly stdin: Readable & { isTTY?: boolean };
  /** The environment: the process's, or a test's. */
  readonly env: NodeJS.ProcessEnv;
  /** Colour is possible and not refused: stdout is a terminal and NO_COLOR is unset (--no-color is the command's). */
  readonly color: boolean;
  /** Records the exit code the process will end with. */
  setExitCode(code: number): void;
  /** Runs `stop` once on Ctrl-C or a termination request (SIGINT, SIGTERM); the result unregisters it. */
  onInterrupt(stop: () => void): () => void;
}

function output(stream: NodeJS.WriteStream): Output {
  return {
    write: (text) => stream.write(text),
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.isTTY ? stream.columns : undefined;
    },
    stream,
  };
}

let fromProcess: IO | undefined;

/** The process's own streams and environment. */
export function processIO(): IO {
  fromProcess ??= {
    stdout: output(process.stdout),
    stderr: output(process.stderr),
    stdin: process.stdin,
    env: process.env,
    get color() {
      return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
    },
    setExitCode: (code) => {
      process.exitCode = code;
    },
    onInterrupt: (stop) => {
      const off = () => {
        process.off('SIGINT', once);
        process.off('SIGTERM', once);
      };
      const once = () => {
        off();
        stop();
      };
      process.on('SIGINT', once);
      process.on('SIGTERM', once);
      return off;
    },
  };
  return fromProcess;
}

export interface FakeIOOptions {
  /** The environment, whole: nothing of the test process's is inherited. */
  env?: NodeJS.ProcessEnv;
  /** What stdin holds (then it ends). */
  stdin?: string;
  /** stdout (and stdin) are a terminal of this width; stderr too unless `stderrTTY` says otherwise. */
  tty?: { columns?: number; stderr?: boolean; stdin?: boolean };
}

export interface FakeIO extends IO {
  /** Everything written to stdout so far. */
  readonly out: () => string;
  /** Everything written to stderr so far. */
  readonly err: () => string;
  /** The exit code set, 0 when none was. */
  readonly exitCode: () => number;
  /** Runs what {@link IO.onInterrupt} registered, as Ctrl-C would. */
  interrupt(): void;
}

function fakeOutput(isTTY: boolean, columns: number | undefined): { output: Output; text: () => string } {
  const chunks: string[] = [];
  // Every write lands at once (no buffering), so what a command wrote is all there when it returns.
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    output: {
      write: (text) => {
        chunks.push(text);
        return true;
      },
      isTTY,
      columns: isTTY ? columns : undefined,
      stream: Object.assign(stream, { isTTY, columns: isTTY ? columns : undefined }),
    },
    text: () => chunks.join(''),
  };
}

/** Streams and an environment made of strings, for running a command inside a test. */
export function fakeIO(options: FakeIOOptions = {}): FakeIO {
  const tty = options.tty;
  const columns = tty?.columns ?? 80;
  const out = fakeOutput(tty !== undefined, columns);
  const err = fakeOutput(tty !== undefined && tty.stderr !== false, columns);
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [options.stdin]), {
    isTTY: tty !== undefined && tty.stdin !== false,
  });
  const env = options.env ?? {};
  let exitCode = 0;
  const stops: (() => void)[] = [];
  return {
    stdout: out.output,
    stderr: err.output,
    stdin,
    env,
    color: tty !== undefined && !env.NO_COLOR,
    setExitCode: (code) => {
      exitCode = code;
    },
    onInterrupt: (stop) => {
      stops.push(stop);
      return () => {
        const at = stops.indexOf(stop);
        if (at >= 0) stops.splice(at, 1);
      };
    },
    out: out.text,
    err: err.text,
    exitCode: () => exitCode,
    interrupt: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}

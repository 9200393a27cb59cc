import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled sample's entry point, next to this script's own folder. */
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** How to start the sample: `main` is the compiled entry point (`sample/dist/main.js`). */
export interface StartOptions {
  readonly main?: string;
  readonly timeoutMs?: number;
}

/** The sample running in a child process. */
export interface RunningSample {
  /** `http://localhost:<port>`, as the sample printed it. */
  readonly url: string;
  /** The lines it printed about its adapter, database, cache and edge. */
  readonly banner: string[];
  /** Everything it wrote so far, for when something goes wrong. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node sample/dist/main.js` with `env` and waits until it prints its URL. */
export function startSample(
  env: NodeJS.ProcessEnv,
  { main = MAIN, timeoutMs = 60_000 }: StartOptions = {},
): Promise<RunningSample> {
  const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`the sample did not start within ${timeoutMs / 1000} s`), timeoutMs);
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${reason}. Its output:\n${output}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+?)\/?\s/.exec(output);
      if (!match || !/\n\s*cache\s.*\n/.test(output)) return;
      clearTimeout(timer);
      const banner = output.split('\n').filter((line) => /^\s+(adapter|database|cache|edge)\s/.test(line));
      resolve({
        url: match[1]!,
        banner: banner.map((line) => line.trim()),
        output: () => output,
        stop: () => stop(child),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) =>
      fail(`the sample exited (${signal ?? `code ${code}`}) before it was ready`),
    );
    child.once('error', (error) => fail(`the sample could not be started: ${error.message}`));
  });
}

function stop(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit');
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

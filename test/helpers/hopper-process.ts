/** `hopper start` as a child process, for tests of the broker as a process (signals, locks, logs). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const hopperMain = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface HopperProcess {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when `re` matches stdout or stderr (rejects if the process exits first or after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code (null if killed by a signal) and signal. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `hopper start --data <dataDir>` with every listener on an ephemeral port unless `args` say otherwise. */
export function startHopper(dataDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): HopperProcess {
  const ports = ['--http-port', '0', '--amqp-port', '0', '--kafka-port', '0', '--sqs-port', '0'];
  const child = spawn(process.execPath, [hopperMain, 'start', '--data', dataDir, ...ports, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOPPER_AMQP_WARM_UP_MESSAGES: '0', ...env },
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    changed();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    changed();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      // Let the pipes drain before anyone reads the output.
      setImmediate(() => {
        resolve({ code, signal });
        changed();
      });
    });
  });
  let exitedWith: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exit.then((e) => (exitedWith = e));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out) ?? re.exec(err);
          if (m) done(() => resolve(m));
          else if (exitedWith) done(() => reject(new Error(`hopper exited (${JSON.stringify(exitedWith)}) before ${re}:\n${out}\n${err}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${re}:\n${out}\n${err}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** The ports a started hopper printed in its banner. */
export async function bannerPorts(h: HopperProcess): Promise<{ http: number; amqp: number; kafka: number }> {
  await h.waitFor(/kafka\s+\S+:\d+/);
  const port = (re: RegExp) => Number(re.exec(h.stdout())![1]);
  return { http: port(/http:\/\/[^:]+:(\d+)/), amqp: port(/amqp:\/\/[^:]+:(\d+)/), kafka: port(/kafka\s+[^\s:]+:(\d+)/) };
}

/** Sends `signal` and waits for the exit. */
export async function stopHopper(h: HopperProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill(signal);
  return h.exited();
}

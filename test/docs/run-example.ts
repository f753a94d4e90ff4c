/**
 * Runs one example as a reader would: a shell block with bash, JavaScript with node, TypeScript
 * compiled by the project's tsc then run with node, Python with Debian's python3. Files go in
 * a working directory inside the repository, so `import 'amqplib'` and the package's own name
 * resolve as they do in a project that installed Hopper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Example } from './markdown.js';

export interface RunContext {
  repo: string;
  workDir: string;
  env: NodeJS.ProcessEnv;
  /** Processes left running by `background` examples, stopped when the document ends. */
  background: ChildProcess[];
}

export interface Outcome {
  code: number | null;
  output: string;
}

const LANGS: Record<string, 'sh' | 'js' | 'ts' | 'py'> = {
  sh: 'sh', bash: 'sh', shell: 'sh',
  js: 'js', javascript: 'js', mjs: 'js',
  ts: 'ts', typescript: 'ts',
  python: 'py', py: 'py',
};

export async function runExample(ex: Example, code: string, n: number, ctx: RunContext): Promise<Outcome> {
  if (ex.file !== null) {
    await writeFile(join(ctx.workDir, ex.file), code);
    return { code: 0, output: '' };
  }
  const lang = LANGS[ex.lang];
  if (lang === undefined) throw new Error(`${ex.doc}:${ex.line}: no way to run a '${ex.lang}' block (give it file= or skip=)`);
  const base = join(ctx.workDir, `example-${n}`);
  let argv: string[];
  if (lang === 'sh') {
    await writeFile(`${base}.sh`, code);
    argv = ['bash', '-euo', 'pipefail', `${base}.sh`];
  } else if (lang === 'py') {
    await writeFile(`${base}.py`, code);
    argv = ['/usr/bin/python3', `${base}.py`];
  } else if (lang === 'js') {
    await writeFile(`${base}.mjs`, code);
    argv = [process.execPath, `${base}.mjs`];
  } else {
    await writeFile(`${base}.ts`, code);
    const tsc = await run([process.execPath, join(ctx.repo, 'node_modules/typescript/bin/tsc'), '--module', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--types', 'node', '--ignoreConfig', `${base}.ts`], ctx, 120_000);
    if (tsc.code !== 0) return { code: tsc.code, output: `tsc:\n${tsc.output}` };
    argv = [process.execPath, `${base}.js`];
  }
  return run(argv, ctx, ex.timeoutMs, ex.until, ex.background);
}

function run(argv: string[], ctx: RunContext, timeoutMs: number, until: string | null = null, background = false): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ctx.workDir, env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, output });
    };
    const onData = (c: Buffer) => {
      output += c.toString();
      if (until !== null && output.includes(until)) {
        if (background) ctx.background.push(child);
        else stop(child);
        finish(0);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => finish(code ?? (signal === null ? null : -1)));
    child.on('error', (e) => {
      output += String(e);
      finish(-1);
    });
    const timer = setTimeout(() => {
      stop(child);
      output += `\n[timed out after ${timeoutMs} ms${until === null ? '' : ` waiting for ${JSON.stringify(until)}`}]`;
      finish(null);
    }, timeoutMs);
  });
}

/** Stops a process and whatever it started (examples may pipe into other programs). */
export function stop(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

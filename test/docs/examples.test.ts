/**
 * Every code example in README.md and docs/ runs as written, in the order written, against a
 * fresh broker per document (test/docs/markdown.ts says how a block is annotated). The only
 * change made to an example is the port: the documented defaults (5672, 9092, 8080) become the
 * ports of the broker started for the test, so the test never clashes with a running Hopper.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { examplesOf, type Example } from './markdown.js';
import { runExample, stop, type RunContext } from './run-example.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const main = join(repo, 'dist/src/cli/main.js');

const docs = ['README.md', ...(await readdir(join(repo, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Ports {
  amqp: number;
  kafka: number;
  http: number;
}

/** A broker on ephemeral ports in `dir`; resolves once its banner names every listener. */
async function startBroker(dir: string): Promise<{ child: ChildProcess; ports: Ports }> {
  const child = spawn(process.execPath, [main, 'start', '--data', join(dir, '.broker-data'), '--http-port', '0', '--amqp-port', '0', '--kafka-port', '0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const port = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const ports = () => ({ amqp: port(/amqp:\/\/[\d.]+:(\d+)/), kafka: port(/kafka\s+[\d.]+:(\d+)/), http: port(/http:\/\/[\d.]+:(\d+)/) });
  while (Object.values(ports()).some(Number.isNaN)) {
    const [code] = await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')]);
    if (typeof code === 'number' || code === null) throw new Error(`the broker exited: ${out}`);
  }
  return { child, ports: ports() };
}

function withPorts(code: string, p: Ports): string {
  const map: Record<string, number> = { '5672': p.amqp, '9092': p.kafka, '8080': p.http };
  return code.replace(/\b(5672|9092|8080)\b/g, (m) => String(map[m]));
}

for (const doc of docs) {
  const examples: Example[] = examplesOf(doc, await readFile(join(repo, doc), 'utf8'));
  if (examples.length === 0) continue;
  describe(`examples in ${doc}`, () => {
    const slug = doc.replace(/[^\w.]+/g, '-');
    const ctx: RunContext = { repo, workDir: join(repo, '.examples', slug), env: {}, background: [] };
    let broker: ChildProcess | undefined;
    let ports: Ports;

    before(async () => {
      await rm(ctx.workDir, { recursive: true, force: true });
      await mkdir(ctx.workDir, { recursive: true });
      ({ child: broker, ports } = await startBroker(ctx.workDir));
      ctx.env = { ...process.env, PATH: `${join(repo, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`, PYTHONUNBUFFERED: '1' };
    });
    after(async () => {
      for (const c of ctx.background) stop(c);
      if (broker !== undefined && broker.exitCode === null) {
        broker.kill('SIGTERM');
        await once(broker, 'exit');
      }
      await rm(ctx.workDir, { recursive: true, force: true });
    });

    examples.forEach((ex, n) => {
      const name = `${doc}:${ex.line} (${ex.lang || 'text'})${ex.skip === null ? '' : ` skipped: ${ex.skip}`}`;
      it(name, { skip: ex.skip ?? false }, async () => {
        const r = await runExample(ex, withPorts(ex.code, ports), n, ctx);
        assert.equal(r.code, 0, `${doc}:${ex.line} failed:\n${r.output}`);
        if (ex.expect !== null) assert.ok(r.output.includes(ex.expect), `${doc}:${ex.line} did not print ${JSON.stringify(ex.expect)}:\n${r.output}`);
      });
    });
  });
}

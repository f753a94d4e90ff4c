/**
 * Every code example in README.md and docs/ runs as written, in the order written, against a
 * fresh broker per document (test/docs/markdown.ts says how a block is annotated). A document
 * may start its broker itself (the README's quick start does); otherwise the test starts one
 * before its first example. The only change made to an example is the port: the documented
 * defaults (5672, 9092, 8080, 9324) become free ports picked for the test, and HOPPER_*_PORT and
 * HOPPER_DATA_DIR point a broker the document starts there, so the test never clashes with a
 * Hopper already running on this machine. The broker's one other setting here: no initial
 * rebalance delay for new consumer groups (3 s by default, as Kafka's), which every Kafka
 * consumer example would otherwise wait out.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { examplesOf, type Example } from './markdown.js';
import { runExample, stop, type RunContext } from './run-example.js';

const repo = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const main = join(repo, 'dist/src/cli/main.js');

const docs = ['README.md', ...(await readdir(join(repo, 'docs'))).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Ports {
  amqp: number;
  kafka: number;
  http: number;
  sqs: number;
}

/** A port free on every address right now (the broker binds 127.0.0.1 and ::1). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '::', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `hopper start` on the given ports; resolves once its banner is out (it accepts then). */
async function startBroker(dir: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main, 'start'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('kafka ')) {
    const [code] = await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')]);
    if (typeof code === 'number' || code === null) throw new Error(`the broker exited: ${out}`);
  }
  return child;
}

/** The first of `needs` missing here, or null. */
function missing(needs: readonly string[]): string | null {
  for (const n of needs) {
    const r = n.startsWith('python3:')
      ? spawnSync('/usr/bin/python3', ['-c', `import ${n.slice(8)}`])
      : spawnSync('sh', ['-c', `command -v ${n}`]);
    if (r.status !== 0) return n;
  }
  return null;
}

function withPorts(code: string, p: Ports): string {
  const map: Record<string, number> = { '5672': p.amqp, '9092': p.kafka, '8080': p.http, '9324': p.sqs };
  return code.replace(/\b(5672|9092|8080|9324)\b/g, (m) => String(map[m]));
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
      ports = { amqp: await freePort(), kafka: await freePort(), http: await freePort(), sqs: await freePort() };
      ctx.env = {
        ...process.env,
        PATH: `${join(repo, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`,
        PYTHONUNBUFFERED: '1',
        HOPPER_DATA_DIR: join(ctx.workDir, 'broker-data'),
        HOPPER_AMQP_PORT: String(ports.amqp),
        HOPPER_KAFKA_PORT: String(ports.kafka),
        HOPPER_HTTP_PORT: String(ports.http),
        HOPPER_SQS_PORT: String(ports.sqs),
        HOPPER_KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      };
      if (!examples.some((e) => e.broker)) broker = await startBroker(ctx.workDir, ctx.env);
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
      const absent = missing(ex.needs);
      const skip = ex.skip ?? (absent === null ? null : `${absent} is not installed`);
      const name = `${doc}:${ex.line} (${ex.lang || 'text'})${skip === null ? '' : ` skipped: ${skip}`}`;
      it(name, { skip: skip ?? false }, async () => {
        // From a checkout, `npx hopper-broker` installs the checkout into npm's cache as a `file:`
        // dependency, and that install runs `prepare` (tsc) here: dist/ is rewritten under the
        // tests running from it (a CI run failed so). Examples run from the checkout use `npm start`.
        assert.ok(!/\bnpx\s+hopper/.test(ex.code), `${doc}:${ex.line}: use \`npm start --\`, not npx, in a runnable example`);
        const r = await runExample(ex, withPorts(ex.code, ports), n, ctx);
        assert.equal(r.code, 0, `${doc}:${ex.line} failed:\n${r.output}`);
        if (ex.expect !== null) assert.ok(r.output.includes(ex.expect), `${doc}:${ex.line} did not print ${JSON.stringify(ex.expect)}:\n${r.output}`);
      });
    });
  });
}

/**
 * The process that crash.test.ts kills. It opens a log on the real disk with fsync=always and
 * appends from several concurrent producers until it is killed, printing one line per
 * acknowledged append: "<offset> <key>". The value is a pure function of the key (valueFor),
 * so the parent can check the exact content. Its first line is "ready <nextOffset>".
 *
 *   node dist/test/storage/crash/child.js <dir> <producers> <run>
 *
 * stdout to a pipe is synchronous on Linux, so a printed line was acknowledged before any kill.
 */
import { encodeBatch } from '../../../src/storage/codec/record-batch.js';
import { diskFs } from '../../../src/storage/fs/disk.js';
import { openLog } from '../../../src/storage/log/index.js';
import { CRASH_LOG_CONFIG, valueFor } from './shared.js';

const [dir, producersArg, run] = process.argv.slice(2);
if (dir === undefined || producersArg === undefined || run === undefined) {
  process.stderr.write('usage: child.js <dir> <producers> <run>\n');
  process.exit(2);
}
const log = await openLog({ fs: diskFs, dir, config: CRASH_LOG_CONFIG });
process.stdout.write(`ready ${log.nextOffset}\n`);

async function producer(p: number): Promise<void> {
  for (let seq = 0; ; seq++) {
    const key = `${run}-${p}-${seq}`;
    const r = await log.append(encodeBatch([{ key: Buffer.from(key), value: valueFor(key) }]));
    process.stdout.write(`${r.baseOffset} ${key}\n`);
  }
}

await Promise.all(Array.from({ length: Number(producersArg) }, (_, p) => producer(p)));

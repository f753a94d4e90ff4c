import { execFileSync } from 'node:child_process';

/**
 * A python3 that can import `module`, or null. Debian's interpreter first: apt's python3-kafka
 * and python3-pika install into it, and a python3 earlier on PATH (pyenv) may lack them.
 */
export function findPython(module: string): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 });
      return py;
    } catch {
      // not this one
    }
  }
  return null;
}

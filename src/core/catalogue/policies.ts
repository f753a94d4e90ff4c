/**
 * Policies, RabbitMQ-style: a named, prioritised regex over object names in one vhost whose
 * definition supplies settings (max-length, dead-letter-exchange, ...) to every matching
 * queue, exchange or topic. At most one policy applies to an object: the highest priority.
 */
import { HopperError } from '../errors.js';
import { validatePattern } from '../auth/permission-pattern.js';
import { nameMaxBytes } from '../names.js';
import { policyApplyTos, type PolicyApplyTo, type PolicyDef } from './types.js';

export type PolicyTarget = 'exchange' | 'queue' | 'topic';

const applies: Record<PolicyApplyTo, readonly PolicyTarget[]> = {
  all: ['exchange', 'queue', 'topic'],
  exchanges: ['exchange'],
  queues: ['queue'],
  topics: ['topic'],
};

function bad(what: string): never {
  throw new HopperError('INVALID_ARGUMENT', what);
}

export function validatePolicy(p: PolicyDef): void {
  if (typeof p.name !== 'string' || p.name === '' || Buffer.byteLength(p.name) > nameMaxBytes) bad(`invalid policy name ${JSON.stringify(p.name)}`);
  validatePattern(p.pattern);
  if (!policyApplyTos.includes(p.applyTo)) bad(`invalid apply-to ${JSON.stringify(p.applyTo)}; expected one of ${policyApplyTos.join(', ')}`);
  if (!Number.isSafeInteger(p.priority)) bad(`policy priority must be an integer, not ${JSON.stringify(p.priority)}`);
  if (typeof p.definition !== 'object' || p.definition === null || Array.isArray(p.definition) || Object.keys(p.definition).length === 0) {
    bad('a policy definition must be a non-empty object');
  }
}

// Compiled once per policy object (policies are replaced, never mutated).
const compiled = new WeakMap<PolicyDef, RegExp>();

function regexOf(p: PolicyDef): RegExp {
  let re = compiled.get(p);
  if (re === undefined) compiled.set(p, (re = new RegExp(p.pattern)));
  return re;
}

/** The policy that applies to `target` named `name`, among one vhost's policies, or undefined. */
export function effectivePolicy(policies: Iterable<PolicyDef>, target: PolicyTarget, name: string): PolicyDef | undefined {
  let best: PolicyDef | undefined;
  for (const p of policies) {
    if (!applies[p.applyTo].includes(target) || !regexOf(p).test(name)) continue;
    if (best === undefined || p.priority > best.priority || (p.priority === best.priority && p.name < best.name)) best = p;
  }
  return best;
}

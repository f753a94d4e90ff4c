/**
 * Topic exchange over a trie of binding-key words, so a message visits only the branches its
 * words can follow instead of testing every binding. Matching is a walk of the trie against
 * the routing key's words with the '#' nodes as self-loops; each '#' node remembers, per
 * match, the smallest word index it has already been expanded from. Every later expansion
 * from a larger index would only repeat work, which keeps a match at O(trie nodes × words)
 * even for keys like "#.a.#.a.#.a" and long routing keys.
 */
import type { ExchangeType, BindingIndex } from './exchange-type.js';
import type { DestNode, RouteSink } from './destination.js';
import { normalizeBindingWords, splitTopicKey } from './topic-key.js';

class TrieNode {
  words: Map<string, TrieNode> | null = null;
  star: TrieNode | null = null;
  hash: TrieNode | null = null;
  /** Destinations of bindings whose key ends here, one entry per binding. */
  readonly dests: DestNode[] = [];
  /** Match epoch and smallest word index this '#' node was expanded from in that match. */
  memoEpoch = 0;
  memoFrom = 0;
  constructor(readonly parent: TrieNode | null, readonly edge: string) {}

  isEmpty(): boolean {
    return this.dests.length === 0 && this.star === null && this.hash === null && (this.words === null || this.words.size === 0);
  }
}

interface TopicToken {
  readonly node: TrieNode;
  readonly dest: DestNode;
}

// Routing keys repeat (a publisher sends many messages with one key, and one message can cross
// several topic exchanges), so the last split is kept. The array is never mutated.
let lastKey = '';
let lastWords: readonly string[] = splitTopicKey('');
function wordsOf(key: string): readonly string[] {
  if (key !== lastKey) {
    lastWords = splitTopicKey(key);
    lastKey = key;
  }
  return lastWords;
}

class TopicIndex implements BindingIndex<TopicToken> {
  private readonly root = new TrieNode(null, '');
  private epoch = 0;
  // Per-match state, held in fields so the recursive walk passes only (node, index).
  private words: readonly string[] = [];
  private sink: RouteSink | null = null;

  add(key: string, _args: unknown, dest: DestNode): TopicToken {
    let node = this.root;
    for (const w of normalizeBindingWords(splitTopicKey(key))) {
      if (w === '*') node = node.star ??= new TrieNode(node, w);
      else if (w === '#') node = node.hash ??= new TrieNode(node, w);
      else {
        const words = (node.words ??= new Map());
        let next = words.get(w);
        if (next === undefined) words.set(w, (next = new TrieNode(node, w)));
        node = next;
      }
    }
    node.dests.push(dest);
    return { node, dest };
  }

  remove({ node, dest }: TopicToken): void {
    const i = node.dests.indexOf(dest);
    if (i >= 0) node.dests.splice(i, 1);
    // Prune emptied branches so a churn of short-lived bindings does not grow the trie.
    let n: TrieNode = node;
    while (n.parent !== null && n.isEmpty()) {
      const p: TrieNode = n.parent;
      if (p.star === n) p.star = null;
      else if (p.hash === n) p.hash = null;
      else p.words?.delete(n.edge);
      n = p;
    }
  }

  route(key: string, _message: unknown, sink: RouteSink): void {
    if (this.root.isEmpty()) return;
    this.words = wordsOf(key);
    this.sink = sink;
    this.epoch++;
    try {
      this.visit(this.root, 0);
    } finally {
      this.sink = null;
    }
  }

  /** `node` has been reached having matched words[0..i). */
  private visit(node: TrieNode, i: number): void {
    const words = this.words;
    if (i === words.length) {
      const d = node.dests;
      for (let k = 0; k < d.length; k++) this.sink!.add(d[k]!);
    }
    if (node.hash !== null) this.visitHash(node.hash, i);
    if (i < words.length) {
      if (node.star !== null) this.visit(node.star, i + 1);
      const next = node.words?.get(words[i]!);
      if (next !== undefined) this.visit(next, i + 1);
    }
  }

  /** The '#' ending at `h` may swallow words[i..j) for every j >= i. */
  private visitHash(h: TrieNode, i: number): void {
    // A node is reached only from its parent and the walk from h never returns to h, so an
    // expansion from index m, once started, covers every j >= m: only [i, m) is new work.
    let end = this.words.length + 1;
    if (h.memoEpoch === this.epoch) {
      if (i >= h.memoFrom) return;
      end = h.memoFrom;
    }
    h.memoEpoch = this.epoch;
    h.memoFrom = i;
    for (let j = i; j < end; j++) this.visit(h, j);
  }
}

export const topicExchange: ExchangeType = {
  name: 'topic',
  validateBinding() {},
  createIndex: () => new TopicIndex(),
};

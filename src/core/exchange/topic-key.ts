/**
 * Topic keys as RabbitMQ reads them: words separated by '.', where the empty key has no words
 * and every '.' separates two words (so "a." is ["a", ""] and "." is ["", ""]). In a binding
 * key a word that is exactly "*" matches one word (possibly empty) and a word that is exactly
 * "#" matches zero or more words; "a*" or "#b" are plain words.
 */

const noWords: readonly string[] = Object.freeze([]);

export function splitTopicKey(key: string): readonly string[] {
  return key === '' ? noWords : key.split('.');
}

/**
 * Puts a binding key's words into the canonical form the trie stores: in every run of
 * adjacent wildcards, the stars first and at most one '#' after them. A run of s stars and
 * any '#' matches "s or more words" in whatever order it is written, so "#.*", "*.#" and
 * "#.#.*" are one pattern, and no trie path has two '#' in a row (which would make matching
 * explore the same split of the key many times).
 */
export function normalizeBindingWords(words: readonly string[]): string[] {
  const out: string[] = [];
  let stars = 0;
  let hash = false;
  const flush = () => {
    for (; stars > 0; stars--) out.push('*');
    if (hash) out.push('#');
    hash = false;
  };
  for (const w of words) {
    if (w === '*') stars++;
    else if (w === '#') hash = true;
    else {
      flush();
      out.push(w);
    }
  }
  flush();
  return out;
}

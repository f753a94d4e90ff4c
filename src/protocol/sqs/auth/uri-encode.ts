/**
 * SigV4's URI encoding and the canonical URI and query string built with it. AWS's rules:
 * - encode every byte of the UTF-8 form except the unreserved A–Z a–z 0–9 '-' '.' '_' '~', as
 *   %XX with upper-case hex; a space is %20, never '+';
 * - the canonical URI (every service but S3, so SQS): the path with empty, '.' and '..' segments
 *   removed, then encoded again as received — a path already percent-encoded on the wire ends
 *   up encoded twice ('%20' → '%2520'), which is what AWS's signers produce too; '/' is kept;
 * - the canonical query: each name and value decoded, then encoded as above, sorted by name
 *   then value (byte order), X-Amz-Signature left out of a presigned URL's.
 *
 * Query decoding works on bytes, so a value that is not UTF-8 (%FF) still canonicalizes to what
 * the client signed. A '+' is a literal plus (it is encoded as %2B), as the SDKs' signers treat it.
 */

const hex = '0123456789ABCDEF';

function unreserved(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
}

function encodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const b of bytes) {
    if (unreserved(b) || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += '%' + hex[b >> 4]! + hex[b & 15]!;
  }
  return out;
}

/** SigV4's UriEncode of a string (its UTF-8 bytes). */
export function uriEncode(s: string, keepSlash = false): string {
  return encodeBytes(Buffer.from(s, 'utf8'), keepSlash);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** The bytes a percent-encoded component stands for; a '%' not followed by two hex digits is itself. */
export function percentDecodeBytes(s: string): Buffer {
  const src = Buffer.from(s, 'utf8');
  if (!src.includes(0x25)) return src;
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length) {
      const h = hexValue(src[i + 1]!);
      const l = hexValue(src[i + 2]!);
      if (h >= 0 && l >= 0) {
        out[n++] = (h << 4) | l;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** A component in canonical form: decoded, then encoded with SigV4's rules. */
export function canonicalComponent(raw: string): string {
  return encodeBytes(percentDecodeBytes(raw), false);
}

/** The canonical URI of a path as received (still percent-encoded, without the query). */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return uriEncode('/' + segments.join('/') + trailing, true);
}

export interface QueryParam {
  /** Canonical (decoded, re-encoded) forms, as they enter the canonical query string. */
  readonly name: string;
  readonly value: string;
}

/** The parameters of a raw query string in canonical form, in the order received. */
export function canonicalParams(rawQuery: string): QueryParam[] {
  const out: QueryParam[] = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push({ name: canonicalComponent(name), value: canonicalComponent(value) });
  }
  return out;
}

/** The canonical query string; `exclude` names (canonical form) a parameter left out (X-Amz-Signature). */
export function canonicalQueryString(params: readonly QueryParam[], exclude?: string): string {
  // Canonical forms are ASCII, so comparing strings compares bytes.
  const kept = params.filter((p) => p.name !== exclude);
  kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return kept.map((p) => `${p.name}=${p.value}`).join('&');
}

/** A canonical-form component decoded to text (for reading X-Amz-* parameters' values). */
export function decodeCanonical(component: string): string {
  return percentDecodeBytes(component).toString('utf8');
}

// Warning response headers as kube-apiserver writes them: `299 - "<text>"`, deduplicated, and
// truncated past 4096 runes in all (each warning then cut to 256 runes) as its warning recorder does.
// kube-apiserver quotes the text with strconv.Quote and sends non-ASCII as raw UTF-8; Node cannot
// send a header above U+00FF (it throws) and writes 0x80-0xFF as latin1 or UTF-8 depending on how
// the body is written, so the text is quoted as strconv.QuoteToASCII does: clients unquote the
// warn-text (client-go's ParseWarningHeader), and get the same text either way.

import type { ServerResponse } from 'node:http';

const TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
const TRUNCATE_ITEM_RUNES = 256;

const SHORT_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** Go's strconv.QuoteToASCII. Lone surrogates become U+FFFD, as converting them to UTF-8 does. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of Buffer.from(text, 'utf8').toString('utf8')) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch >= ' ' && ch <= '~') out += ch;
    else if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

function header(text: string): string {
  return `299 - ${goQuote(text)}`;
}

function runeCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The Warning header values for a response's warnings, in the order they were added. */
export function warningHeaderValues(warnings: readonly string[]): string[] {
  const seen = new Set<string>();
  const ordered: string[] = [];
  let out: string[] = [];
  let written = 0;
  let truncating = false;
  const cut = (text: string): string => (runeCount(text) > TRUNCATE_ITEM_RUNES ? [...text].slice(0, TRUNCATE_ITEM_RUNES).join('') : text);
  for (const w of warnings) {
    if (w === '' || (truncating && written >= TRUNCATE_AT_TOTAL_RUNES) || seen.has(w)) continue;
    seen.add(w);
    ordered.push(w);
    const text = truncating ? cut(w) : w;
    if (truncating || written + runeCount(text) <= TRUNCATE_AT_TOTAL_RUNES) {
      written += runeCount(text);
      out.push(header(text));
      continue;
    }
    // Over the limit: start again with every warning so far cut to 256 runes.
    truncating = true;
    written = 0;
    out = ordered.map((o) => {
      const c = cut(o);
      written += runeCount(c);
      return header(c);
    });
  }
  return out;
}

// Each response's warnings so far, so headers are recomputed from the texts, never parsed back.
const recorded = new WeakMap<ServerResponse, string[]>();

/** Adds warnings to a response's Warning headers (before its head is written). */
export function addWarningHeaders(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0 || res.headersSent) return;
  const all = [...(recorded.get(res) ?? []), ...warnings];
  recorded.set(res, all);
  res.setHeader('Warning', warningHeaderValues(all));
}

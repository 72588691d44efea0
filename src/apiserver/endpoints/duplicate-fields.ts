// JSON.parse keeps the last of repeated keys silently; Go's strict decoder reports each repeat as
// `duplicate field "<path>"`. This scanner walks the document text once and reports repeated keys
// with their field paths, and where each field path first appears (to order strict errors the way
// the decoder meets them). YAML documents are walked through the yaml library's syntax tree.

import { isMap, isScalar, isSeq, parseDocument as parseYamlDocument, type Node as YamlNode } from 'yaml';

export interface FieldOccurrences {
  /** Field paths repeated within one object, with the offset of the repeat. */
  duplicates: { path: string; pos: number }[];
  /** Offset of the first occurrence of every field path. */
  firstSeen: Map<string, number>;
}

function childPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** Scans a JSON text that JSON.parse has accepted. */
export function scanJSON(text: string): FieldOccurrences {
  const out: FieldOccurrences = { duplicates: [], firstSeen: new Map() };
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const str = (): string => {
    const start = i;
    let escaped = false;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        escaped = true;
        i += 2;
      } else i++;
    }
    i++;
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const pos = i;
        const key = str();
        const p = childPath(path, key);
        if (seen.has(key)) out.duplicates.push({ path: p, pos });
        else {
          seen.add(key);
          if (!out.firstSeen.has(p)) out.firstSeen.set(p, pos);
        }
        ws();
        i++; // colon
        value(p);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // closing brace
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++;
        return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
  };
  value('');
  return out;
}

/** The same for a YAML text (its first document). */
export function scanYAML(text: string): FieldOccurrences {
  const out: FieldOccurrences = { duplicates: [], firstSeen: new Map() };
  const doc = parseYamlDocument(text, { uniqueKeys: false });
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const pos = keyNode?.range?.[0] ?? 0;
        const p = childPath(path, key);
        if (seen.has(key)) out.duplicates.push({ path: p, pos });
        else {
          seen.add(key);
          if (!out.firstSeen.has(p)) out.firstSeen.set(p, pos);
        }
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, n) => walk(item, `${path}[${n}]`));
    }
  };
  walk(doc.contents, '');
  return out;
}

/** Line of an offset (1-based), for YAML messages. */
export function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

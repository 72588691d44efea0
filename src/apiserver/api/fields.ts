// Field selectors with the grammar of k8s.io/apimachinery/pkg/fields: comma-separated `k=v`,
// `k==v`, `k!=v`, with `\` escaping `,`, `=`, `!` and `\` in values.

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export class FieldSelectorParseError extends Error {}

function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1];
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  terms.push(cur);
  return terms;
}

function unescapeValue(raw: string, selector: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === undefined || !['\\', ',', '=', '!'].includes(n)) {
        throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence: ${selector}`);
      }
      out += n;
      i++;
    } else if (c === ',' || c === '=' || c === '!') {
      throw new FieldSelectorParseError(`invalid field selector: unescaped ${c} in value: ${selector}`);
    } else {
      out += c;
    }
  }
  return out;
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  static parse(input: string): FieldSelector {
    if (input.trim() === '') return FieldSelector.everything();
    const reqs: FieldRequirement[] = [];
    for (const term of splitTerms(input)) {
      if (term === '') continue;
      // Find the first unescaped operator.
      let idx = -1;
      let op: '=' | '!=' | '==' = '=';
      for (let i = 0; i < term.length; i++) {
        if (term[i] === '\\') {
          i++;
          continue;
        }
        if (term.startsWith('!=', i)) {
          idx = i;
          op = '!=';
          break;
        }
        if (term.startsWith('==', i)) {
          idx = i;
          op = '==';
          break;
        }
        if (term[i] === '=') {
          idx = i;
          op = '=';
          break;
        }
      }
      if (idx <= 0) throw new FieldSelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
      const field = term.slice(0, idx);
      const value = unescapeValue(term.slice(idx + op.length), input);
      reqs.push({ field, operator: op === '!=' ? '!=' : '=', value });
    }
    return new FieldSelector(reqs);
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** The value required by an equality term on `field`, if any (e.g. metadata.name for watches). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const v = fields[r.field] ?? '';
      return r.operator === '=' ? v === r.value : v !== r.value;
    });
  }
}

// Label selectors with the grammar and error texts of k8s.io/apimachinery/pkg/labels.

export type LabelOperator = 'exists' | 'notexists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export class LabelSelectorParseError extends Error {}

type TokenKind = 'ident' | ',' | '=' | '==' | '!=' | '!' | '(' | ')' | 'in' | 'notin' | '>' | '<' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

function lex(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (SPECIAL.has(c)) {
      const two = input.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ kind: two, text: two });
        i += 2;
      } else {
        out.push({ kind: c as TokenKind, text: c });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < input.length && !SPECIAL.has(input[j]) && !/\s/.test(input[j])) j++;
    const word = input.slice(i, j);
    out.push({ kind: word === 'in' ? 'in' : word === 'notin' ? 'notin' : 'ident', text: word });
    i = j;
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Problems with a label key (qualified name), empty when valid. */
export function labelKeyErrors(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      errs.push("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  } else if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME.test(name))
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  return errs;
}

/** Problems with a label value, empty when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value))
    errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  return errs;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}
  private peek(): Token {
    return this.tokens[this.pos];
  }
  private next(): Token {
    return this.tokens[this.pos++];
  }
  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'end') return reqs;
      if (t.kind === 'ident' || t.kind === '!') {
        reqs.push(this.requirement());
        const after = this.next();
        if (after.kind === 'end') return reqs;
        if (after.kind !== ',') throw new LabelSelectorParseError(`found '${after.text}', expected: ',' or 'end of string'`);
        if (this.peek().kind === 'end') throw new LabelSelectorParseError(`found '', expected: identifier after ','`);
        continue;
      }
      throw new LabelSelectorParseError(`found '${t.text}', expected: !, identifier, or 'end of string'`);
    }
  }
  private requirement(): LabelRequirement {
    let negate = false;
    if (this.peek().kind === '!') {
      negate = true;
      this.next();
    }
    const keyTok = this.next();
    if (keyTok.kind !== 'ident') throw new LabelSelectorParseError(`unable to parse requirement: found '${keyTok.text}', expected: identifier`);
    const key = keyTok.text;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length) throw new LabelSelectorParseError(`unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${keyErrs.join('; ')}`);
    const opTok = this.peek();
    if (opTok.kind === 'end' || opTok.kind === ',') {
      return { key, operator: negate ? 'notexists' : 'exists', values: [] };
    }
    if (negate) throw new LabelSelectorParseError(`unable to parse requirement: found '${opTok.text}', expected: ',' or 'end of string'`);
    this.next();
    let operator: LabelOperator;
    switch (opTok.kind) {
      case '=':
      case '==':
        operator = '=';
        break;
      case '!=':
        operator = '!=';
        break;
      case 'in':
        operator = 'in';
        break;
      case 'notin':
        operator = 'notin';
        break;
      case '>':
        operator = 'gt';
        break;
      case '<':
        operator = 'lt';
        break;
      default:
        throw new LabelSelectorParseError(
          `unable to parse requirement: found '${opTok.text}', expected: in, notin, =, ==, !=, gt, lt`,
        );
    }
    let values: string[];
    if (operator === 'in' || operator === 'notin') {
      const open = this.next();
      if (open.kind !== '(') throw new LabelSelectorParseError(`unable to parse requirement: found '${open.text}', expected: '('`);
      values = [];
      for (;;) {
        const t = this.next();
        if (t.kind === ')') {
          if (values.length === 0) values.push('');
          break;
        }
        if (t.kind === ',') {
          if (values.length === 0) values.push('');
          if (this.peek().kind === ',' || this.peek().kind === ')') values.push('');
          continue;
        }
        if (t.kind !== 'ident') throw new LabelSelectorParseError(`unable to parse requirement: found '${t.text}', expected: ',', ')' or identifier`);
        values.push(t.text);
      }
    } else {
      const v = this.peek();
      if (v.kind === 'ident') {
        this.next();
        values = [v.text];
      } else if (v.kind === 'end' || v.kind === ',') {
        values = [''];
      } else {
        throw new LabelSelectorParseError(`unable to parse requirement: found '${v.text}', expected: identifier`);
      }
    }
    for (const v of values) {
      if (operator === 'gt' || operator === 'lt') {
        if (!/^-?\d+$/.test(v)) throw new LabelSelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        continue;
      }
      const errs = labelValueErrors(v);
      if (errs.length) throw new LabelSelectorParseError(`unable to parse requirement: values[0][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
    }
    return { key, operator, values };
  }
}

export class LabelSelector {
  constructor(readonly requirements: readonly LabelRequirement[]) {}

  static everything(): LabelSelector {
    return new LabelSelector([]);
  }

  /** Parses a selector string; throws LabelSelectorParseError with the apimachinery message. */
  static parse(input: string): LabelSelector {
    return new LabelSelector(new Parser(lex(input)).parse());
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Record<string, string> | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      const v = l[r.key];
      switch (r.operator) {
        case 'exists':
          return has;
        case 'notexists':
          return !has;
        case '=':
        case 'in':
          return has && r.values.includes(v);
        case '!=':
        case 'notin':
          return !has || !r.values.includes(v);
        case 'gt':
          return has && /^-?\d+$/.test(v) && BigInt(v) > BigInt(r.values[0]);
        case 'lt':
          return has && /^-?\d+$/.test(v) && BigInt(v) < BigInt(r.values[0]);
      }
    });
  }

  /** Single-value equality requirements, e.g. for SubjectAccessReview attributes. */
  toString(): string {
    return this.requirements
      .map((r) => {
        switch (r.operator) {
          case 'exists':
            return r.key;
          case 'notexists':
            return `!${r.key}`;
          case '=':
            return `${r.key}=${r.values[0]}`;
          case '!=':
            return `${r.key}!=${r.values[0]}`;
          case 'in':
            return `${r.key} in (${r.values.join(',')})`;
          case 'notin':
            return `${r.key} notin (${r.values.join(',')})`;
          case 'gt':
            return `${r.key}>${r.values[0]}`;
          case 'lt':
            return `${r.key}<${r.values[0]}`;
        }
      })
      .join(',');
  }
}

// WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`,
// several per header or several headers. Registries only use these two schemes.

export interface Challenge {
  /** Lower-cased scheme: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipSpaceAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }
  token(): string {
    const start = this.pos;
    while (!this.done() && TOKEN_CHAR.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  /** A token68 or token value (token68 allows '/' and trailing '='). */
  bareValue(): string {
    const start = this.pos;
    while (!this.done() && /[^\s,]/.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    // Caller saw the opening quote.
    this.pos++;
    let out = '';
    while (!this.done()) {
      const c = this.s[this.pos++] ?? '';
      if (c === '\\') {
        out += this.s[this.pos++] ?? '';
      } else if (c === '"') {
        return out;
      } else {
        out += c;
      }
    }
    return out;
  }
}

/** True when the scanner is at `name =` (an auth-param), without consuming it. */
function atParam(sc: Scanner): boolean {
  const save = sc.pos;
  const name = sc.token();
  sc.skipSpace();
  const isParam = name !== '' && sc.peek() === '=' && sc.s[sc.pos + 1] !== '=';
  sc.pos = save;
  return isParam;
}

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const headers = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const h of headers) {
    const sc = new Scanner(h);
    for (;;) {
      sc.skipSpaceAndCommas();
      if (sc.done()) break;
      const scheme = sc.token();
      if (!scheme) {
        sc.pos++; // not a token character: skip it rather than loop forever
        continue;
      }
      const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
      out.push(challenge);
      sc.skipSpace();
      if (!atParam(sc) && !sc.done() && sc.peek() !== ',') sc.bareValue(); // token68: unused by registries
      for (;;) {
        sc.skipSpace();
        if (sc.peek() === ',') {
          const save = sc.pos;
          sc.skipSpaceAndCommas();
          if (!atParam(sc)) {
            sc.pos = save;
            break;
          }
        }
        if (!atParam(sc)) break;
        const name = sc.token().toLowerCase();
        sc.skipSpace();
        sc.pos++; // '='
        sc.skipSpace();
        challenge.params[name] = sc.peek() === '"' ? sc.quoted() : sc.bareValue();
      }
    }
  }
  return out;
}

/** The challenge to answer: Bearer over Basic (what the docker client prefers). */
export function preferredChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

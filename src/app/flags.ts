// A small kube-style flag parser: `--name=value` or `--name value`, booleans as `--name` or
// `--name=false`, repeated/comma lists. Every problem is collected, so one run reports them all.

export type FlagType = 'string' | 'int' | 'bool' | 'list' | 'duration';

export interface FlagSpec {
  name: string;
  type: FlagType;
  default: string | number | boolean | string[];
  help: string;
}

export type FlagValues = Record<string, string | number | boolean | string[]>;

export interface ParsedFlags {
  values: FlagValues;
  /** Names given explicitly on the command line. */
  given: Set<string>;
  errors: string[];
  help: boolean;
}

/** Parses "30s", "1m30s", "2h", "500ms" into seconds. */
export function parseDuration(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: FlagValues = {};
  for (const s of specs) values[s.name] = Array.isArray(s.default) ? [...s.default] : s.default;
  const given = new Set<string>();
  const errs: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      errs.push(`unexpected argument ${JSON.stringify(arg)}`);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let raw: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const spec = byName.get(name);
    if (!spec) {
      errs.push(`unknown flag: --${name}`);
      continue;
    }
    if (raw === undefined) {
      if (spec.type === 'bool') raw = 'true';
      else if (i + 1 < argv.length) raw = argv[++i];
      else {
        errs.push(`flag needs an argument: --${name}`);
        continue;
      }
    }
    given.add(name);
    switch (spec.type) {
      case 'string':
        values[name] = raw;
        break;
      case 'bool':
        if (raw === 'true' || raw === '1') values[name] = true;
        else if (raw === 'false' || raw === '0') values[name] = false;
        else errs.push(`invalid argument ${JSON.stringify(raw)} for --${name}: must be true or false`);
        break;
      case 'int':
        if (/^-?\d+$/.test(raw)) values[name] = Number(raw);
        else errs.push(`invalid argument ${JSON.stringify(raw)} for --${name}: must be an integer`);
        break;
      case 'duration': {
        const d = parseDuration(raw);
        if (d === undefined) errs.push(`invalid argument ${JSON.stringify(raw)} for --${name}: must be a duration such as 30s or 1m`);
        else values[name] = d;
        break;
      }
      case 'list': {
        const prev = given.has(`${name}#list`) ? (values[name] as string[]) : [];
        given.add(`${name}#list`);
        values[name] = [...prev, ...raw.split(',').map((s) => s.trim()).filter(Boolean)];
        break;
      }
    }
  }
  return { values, given, errors: errs, help };
}

export function usage(program: string, specs: readonly FlagSpec[]): string {
  const lines = [`Usage: ${program} [flags]`, '', 'Flags:'];
  for (const s of specs) {
    const def = Array.isArray(s.default) ? s.default.join(',') : String(s.default);
    const arg = s.type === 'bool' ? '' : ` ${s.type}`;
    lines.push(`  --${s.name}${arg}`);
    lines.push(`      ${s.help}${def !== '' ? ` (default ${JSON.stringify(def)})` : ''}`);
  }
  return lines.join('\n');
}

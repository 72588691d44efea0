// Field errors as k8s.io/apimachinery/pkg/util/validation/field renders them: validation is pure and
// returns a list of these; the registry turns a non-empty list into a 422 Invalid Status.

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

const NO_VALUE: ReadonlySet<FieldErrorType> = new Set([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'InternalError',
]);

/** Renders a value the way Go's field errors do: strings quoted, numbers and booleans bare. */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

export class FieldError {
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly value: unknown,
    readonly detail: string,
  ) {}

  /** The part after "<field>: ", as used in Status causes. */
  body(): string {
    let s = TYPE_TEXT[this.type];
    if (!NO_VALUE.has(this.type)) s += `: ${renderValue(this.value)}`;
    if (this.detail) s += `: ${this.detail}`;
    return s;
  }

  toString(): string {
    return `${this.field}: ${this.body()}`;
  }
}

export type FieldErrorList = FieldError[];

/** A field path builder: path.child('spec').child('tags').index(0).key('latest'). */
export class FieldPath {
  private constructor(private readonly text: string) {}
  static root(name = ''): FieldPath {
    return new FieldPath(name);
  }
  child(name: string): FieldPath {
    return new FieldPath(this.text ? `${this.text}.${name}` : name);
  }
  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }
  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }
  toString(): string {
    return this.text;
  }
}

type PathLike = FieldPath | string;
const p = (path: PathLike): string => String(path);

export const fieldErrors = {
  required: (path: PathLike, detail = ''): FieldError => new FieldError('FieldValueRequired', p(path), '', detail),
  invalid: (path: PathLike, value: unknown, detail: string): FieldError =>
    new FieldError('FieldValueInvalid', p(path), value, detail),
  notSupported: (path: PathLike, value: unknown, supported: readonly string[]): FieldError =>
    new FieldError(
      'FieldValueNotSupported',
      p(path),
      value,
      supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
    ),
  forbidden: (path: PathLike, detail: string): FieldError => new FieldError('FieldValueForbidden', p(path), '', detail),
  duplicate: (path: PathLike, value: unknown): FieldError => new FieldError('FieldValueDuplicate', p(path), value, ''),
  notFound: (path: PathLike, value: unknown): FieldError => new FieldError('FieldValueNotFound', p(path), value, ''),
  tooLong: (path: PathLike, maxLength: number): FieldError =>
    new FieldError('FieldValueTooLong', p(path), '', `may not be more than ${maxLength} bytes`),
  internal: (path: PathLike, detail: string): FieldError => new FieldError('InternalError', p(path), '', detail),
};

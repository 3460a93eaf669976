/**
 * A small strict validator for the fake Firecracker, mirroring how
 * Firecracker's own tests validate requests (reference/firecracker.md
 * §1.2): `null`s are stripped first, unknown fields are refused unless a
 * schema is `open` (Metrics, TokenBucket), and PATCH bodies skip the
 * `required` check. Enums are case-sensitive unless `caseless`.
 */
export type Field =
  | { t: 'string'; enum?: readonly string[]; caseless?: boolean }
  | { t: 'bool' }
  | { t: 'int'; min?: number; max?: number }
  | { t: 'array'; of: Field }
  | { t: 'object'; schema: Schema }
  | { t: 'any-object' };

export interface Schema {
  fields: Record<string, Field>;
  required: readonly string[];
  /** Unknown fields are ignored instead of refused. */
  open?: boolean;
}

/** Why `value` does not match `schema`, or undefined when it does. */
export function validate(
  schema: Schema,
  value: unknown,
  opts: { patch: boolean },
): string | undefined {
  return checkObject(schema, stripNulls(value), opts.patch, 'body');
}

/** Removes `null` members recursively, as Firecracker's validator does. */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(([, v]) => v !== null);
  return Object.fromEntries(entries.map(([k, v]) => [k, stripNulls(v)]));
}

function checkObject(
  schema: Schema,
  value: unknown,
  patch: boolean,
  where: string,
): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `invalid type at ${where}: expected an object`;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const field = schema.fields[key];
    if (!field && !schema.open) {
      const known = Object.keys(schema.fields).map((k) => `\`${k}\``);
      return `unknown field \`${key}\`, expected one of ${known.join(', ')}`;
    }
    const problem = field && checkField(field, record[key], `${where}.${key}`);
    if (problem) return problem;
  }
  if (patch) return undefined;
  const missing = schema.required.find((key) => !(key in record));
  return missing ? `missing field \`${missing}\`` : undefined;
}

function checkField(
  field: Field,
  value: unknown,
  where: string,
): string | undefined {
  switch (field.t) {
    case 'string':
      return checkString(field, value, where);
    case 'bool':
      return typeof value === 'boolean' ? undefined : typeError(where, 'bool');
    case 'int':
      return checkInt(field, value, where);
    case 'array':
      if (!Array.isArray(value)) return typeError(where, 'a sequence');
      return value
        .map((item, i) => checkField(field.of, item, `${where}[${i}]`))
        .find(Boolean);
    case 'object':
      return checkObject(field.schema, value, false, where);
    case 'any-object':
      return typeof value === 'object' && !Array.isArray(value)
        ? undefined
        : typeError(where, 'a map');
  }
}

function checkString(
  field: { enum?: readonly string[]; caseless?: boolean },
  value: unknown,
  where: string,
): string | undefined {
  if (typeof value !== 'string') return typeError(where, 'a string');
  if (!field.enum) return undefined;
  const same = (a: string) =>
    field.caseless ? a.toLowerCase() === value.toLowerCase() : a === value;
  if (field.enum.some(same)) return undefined;
  return `unknown variant \`${value}\` at ${where}, expected one of ${field.enum.join(', ')}`;
}

function checkInt(
  field: { min?: number; max?: number },
  value: unknown,
  where: string,
): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return typeError(where, 'an integer');
  }
  if (value < (field.min ?? 0)) return `${where}: ${value} is too small`;
  if (field.max !== undefined && value > field.max) {
    return `${where}: ${value} is too large`;
  }
  return undefined;
}

function typeError(where: string, expected: string): string {
  return `invalid type at ${where}: expected ${expected}`;
}

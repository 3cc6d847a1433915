import type { Params } from './types.ts';

export interface Compiled {
  text: string;
  /** Where each `$n` takes its value from: an index of positional values or a name. */
  slots: (number | string)[];
}

const identifierChar = /[A-Za-z0-9_]/;

/**
 * Rewrites SQLite's `?` and `@name` placeholders as PostgreSQL's `$n`, leaving string literals,
 * quoted identifiers and comments alone. A name used twice takes one `$n`.
 */
export function compilePlaceholders(sql: string): Compiled {
  let text = '';
  const slots: (number | string)[] = [];
  const named = new Map<string, number>();
  let positional = 0;
  let i = 0;
  const copyUntil = (end: string, from: number): number => {
    const stop = sql.indexOf(end, from);
    const to = stop === -1 ? sql.length : stop + end.length;
    text += sql.slice(i, to);
    return to;
  };
  while (i < sql.length) {
    const char = sql[i];
    if (char === "'") {
      // '' inside a literal is an escaped quote: the literal goes on.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      text += sql.slice(i, j + 1);
      i = j + 1;
    } else if (char === '"') {
      i = copyUntil('"', i + 1);
    } else if (char === '-' && sql[i + 1] === '-') {
      i = copyUntil('\n', i);
    } else if (char === '/' && sql[i + 1] === '*') {
      i = copyUntil('*/', i + 2);
    } else if (char === '?') {
      slots.push(positional++);
      text += `$${slots.length}`;
      i += 1;
    } else if (char === '@' && identifierChar.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < sql.length && identifierChar.test(sql[j])) j += 1;
      const name = sql.slice(i + 1, j);
      let slot = named.get(name);
      if (slot === undefined) {
        slots.push(name);
        slot = slots.length;
        named.set(name, slot);
      }
      text += `$${slot}`;
      i = j;
    } else {
      text += char;
      i += 1;
    }
  }
  return { text, slots };
}

/** The values of a compiled statement's `$1, $2, …`, from the caller's array or object. */
export function bindValues(compiled: Compiled, params: Params | undefined): unknown[] {
  if (compiled.slots.length === 0) return [];
  if (params === undefined) throw new TypeError('The statement has placeholders and no values were given');
  return compiled.slots.map((slot) => {
    if (typeof slot === 'number') {
      if (!Array.isArray(params)) throw new TypeError('Positional placeholders need an array of values');
      if (slot >= params.length) throw new RangeError(`No value for placeholder ${slot + 1}`);
      return params[slot];
    }
    if (Array.isArray(params) || !(slot in params)) throw new TypeError(`No value named ${slot}`);
    return (params as Record<string, unknown>)[slot];
  });
}

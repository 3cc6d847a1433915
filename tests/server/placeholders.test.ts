import { describe, expect, it } from 'vitest';
import { bindValues, compilePlaceholders } from '../../db/storage/placeholders.ts';

describe('SQLite placeholders on PostgreSQL', () => {
  it('numbers ? and @name in order, one number per name, leaving literals, identifiers and comments alone', () => {
    const compiled = compilePlaceholders(
      `SELECT "a?b", 'it''s ? @x' -- ? @y\n, @id, ?, @id /* ? @z */ FROM t WHERE x::text = @other`,
    );
    expect(compiled.text).toBe(`SELECT "a?b", 'it''s ? @x' -- ? @y\n, $1, $2, $1 /* ? @z */ FROM t WHERE x::text = $3`);
    expect(compiled.slots).toEqual(['id', 0, 'other']);
  });

  it('binds values from an array or an object and refuses missing ones', () => {
    expect(bindValues(compilePlaceholders('SELECT ?, ?'), ['a', 2])).toEqual(['a', 2]);
    expect(bindValues(compilePlaceholders('SELECT @b, @a, @b'), { a: 1, b: 2 })).toEqual([2, 1]);
    expect(() => bindValues(compilePlaceholders('SELECT ?, ?'), ['a'])).toThrow(RangeError);
    expect(() => bindValues(compilePlaceholders('SELECT @a'), {})).toThrow('No value named a');
    expect(() => bindValues(compilePlaceholders('SELECT @a'), ['x'])).toThrow(TypeError);
  });
});

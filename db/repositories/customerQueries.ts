import { nameFilterSchema, textFilterSchema } from '../../shared/listQuery.ts';
import { filterOn, listStatements, type FilterDef, type ListSpec } from './listStatements.ts';

export interface CustomerListRow {
  id: string;
  name: string;
  email: string;
  plan: string;
  time_zone: string | null;
  created_at: string;
  balance: number;
}

/** Above every id starting with a prefix: U+10FFFF sorts after any other character. */
const PREFIX_END = '\u{10FFFF}';

/** LIKE's wildcards and its escape character, taken literally. */
const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * `q`: the name or e-mail starts with the text (ignoring case), or the id
 * does. Prefixes, not substrings: each branch is a range of an index
 * (`customers_name` and `customers_email` are NOCASE, as LIKE is; the primary
 * key), so SQLite answers with one index search per branch however many
 * customers there are. A prefix LIKE, unlike a NOCASE range, lets SQLite
 * combine the three branches (its "OR by union").
 *
 * PostgreSQL's LIKE heeds case: there both sides are lower-cased, which is
 * what its `customers_name` and `customers_email` indexes hold (`lower(…)` of
 * a `"C"` column folds ASCII letters only, as SQLite's LIKE does; docs/postgres.md).
 */
const textSearch: FilterDef = {
  schema: textFilterSchema,
  role: { kind: 'attribute' },
  where: (param, _value, drives, engine) => {
    const col = (column: string): string => (drives ? column : `+${column}`);
    const startsWith = (column: string): string =>
      engine === 'postgres'
        ? `lower(${column}) LIKE lower(@${param}_prefix) ESCAPE '\\'`
        : `${col(column)} LIKE @${param}_prefix ESCAPE '\\'`;
    return [
      startsWith('cu.name'),
      startsWith('cu.email'),
      `(${col('cu.id')} >= @${param} AND ${col('cu.id')} < @${param}_end)`,
    ].join(' OR ');
  },
  bind: (param, value) => {
    const text = value as string;
    return { [param]: text, [`${param}_prefix`]: likePrefix(text), [`${param}_end`]: `${text}${PREFIX_END}` };
  },
};

export const customerListSpec: ListSpec = {
  select: 'SELECT cu.id, cu.name, cu.email, cu.plan, cu.time_zone, cu.created_at, cu.balance FROM customers cu',
  from: 'customers cu',
  key: 'cu.id',
  idColumn: 'cu.id',
  filters: {
    id: filterOn.key('cu.id', 0),
    q: textSearch,
    plan: filterOn.equals('cu.plan', nameFilterSchema),
  },
  sorts: {
    id: { expr: 'cu.id' },
    // NOCASE: the order people expect, and the order of the customers_name / customers_email indexes.
    name: { expr: 'cu.name COLLATE NOCASE', postgres: 'lower(cu.name)' },
    email: { expr: 'cu.email COLLATE NOCASE', postgres: 'lower(cu.email)' },
    created_at: { expr: 'cu.created_at' },
  },
  defaultSort: { field: 'name', order: 'ASC' },
  // 118,000 accounts in the large seed: a count over customers_created alone, or one scan for `plan`.
  totals: 'exact',
};

/** Lists of customers through the storage seam. */
export const customerQueries = listStatements<CustomerListRow>(customerListSpec);

import { z } from 'zod';
import { roleSchema } from '../../shared/roles.ts';
import { textFilterSchema } from '../../shared/listQuery.ts';
import type { Db } from '../connection.ts';
import { createListStatements, filterOn, listStatements, type FilterDef, type ListSpec } from './listStatements.ts';
import type { StaffRow } from './staffRepository.ts';

/** `q`: the text anywhere in the name or e-mail, ignoring case (PostgreSQL's LIKE heeds case: both sides lower-cased there). */
const nameOrEmail: FilterDef = {
  schema: textFilterSchema,
  role: { kind: 'attribute' },
  where: (param, _value, _drives, engine) =>
    engine === 'postgres'
      ? `(lower(s.name) LIKE lower(@${param}) ESCAPE '\\' OR lower(s.email) LIKE lower(@${param}) ESCAPE '\\')`
      : `(s.name LIKE @${param} ESCAPE '\\' OR s.email LIKE @${param} ESCAPE '\\')`,
  bind: (param, value) => ({ [param]: `%${String(value).replace(/[\\%_]/g, (char) => `\\${char}`)}%` }),
};

// The staff table is small: plain scans are fine.
export const staffListSpec: ListSpec = {
  select: 'SELECT s.* FROM staff s',
  from: 'staff s',
  key: 's.id',
  idColumn: 's.id',
  filters: {
    id: filterOn.key('s.id', 0),
    role: filterOn.equals('s.role', roleSchema),
    disabled: {
      schema: z.boolean({ error: 'must be true or false' }),
      role: { kind: 'attribute' },
      where: (param) => `s.disabled = @${param}`,
      bind: (param, value) => ({ [param]: value ? 1 : 0 }),
    },
    q: nameOrEmail,
  },
  sorts: {
    name: { expr: 's.name COLLATE NOCASE', postgres: 'lower(s.name)' },
    // SQLite's column is NOCASE; PostgreSQL's is "C", so the same order is lower()'s.
    email: { expr: 's.email', postgres: 'lower(s.email)' },
    role: { expr: 's.role' },
    created_at: { expr: 's.created_at' },
  },
  defaultSort: { field: 'name', order: 'ASC' },
  totals: 'exact',
};

/** Lists of staff accounts through the storage seam. */
export const staffQueries = listStatements<StaffRow>(staffListSpec);

/** The synchronous lists, same texts, kept for the query-plan tests (tests/server/resources/queryPlans.test.ts). */
export function createStaffQueries(db: Db) {
  return createListStatements<StaffRow>(db, staffListSpec);
}

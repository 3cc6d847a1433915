import { z } from 'zod';
import { roleSchema } from '../../shared/roles.ts';
import { textFilterSchema } from '../../shared/listQuery.ts';
import type { Db } from '../connection.ts';
import { createListStatements, filterOn, type FilterDef, type ListSpec } from './listStatements.ts';
import type { StaffRow } from './staffRepository.ts';

const nameOrEmail: FilterDef = {
  schema: textFilterSchema,
  role: { kind: 'attribute' },
  where: (param) => `(s.name LIKE @${param} ESCAPE '\\' OR s.email LIKE @${param} ESCAPE '\\')`,
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
    name: { expr: 's.name COLLATE NOCASE' },
    email: { expr: 's.email' },
    role: { expr: 's.role' },
    created_at: { expr: 's.created_at' },
  },
  defaultSort: { field: 'name', order: 'ASC' },
  totals: 'exact',
};

export function createStaffQueries(db: Db) {
  return createListStatements<StaffRow>(db, staffListSpec);
}

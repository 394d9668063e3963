// Every query takes an EntityScope: 'all' for CSB oversight, a list of entity ids for a director.
import { sql, type RawBuilder } from 'kysely';

export type EntityScope = 'all' | readonly number[];

/** A SQL condition limiting `column` to the scope (true for 'all'). */
export function inScope(column: string, scope: EntityScope): RawBuilder<boolean> {
  if (scope === 'all') return sql<boolean>`true`;
  if (scope.length === 0) return sql<boolean>`false`;
  return sql<boolean>`${sql.ref(column)} = any(${sql.val([...scope])}::int[])`;
}

/**
 * A value as an SQL string literal, for the one place parameters cannot go: the expressions of
 * partial indexes declared on entities. Status values come from their enums through here, so no
 * status is spelled twice; statements pass them as parameters.
 */
export function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

import { Migration } from '@mikro-orm/migrations';

/** Tables whose rows are listed in pages ordered by (created_at, id). */
const PAGED = ['membership', 'environment', 'node', 'compilation', 'consortium', 'invitation', 'application', 'proposal', 'service_account', 'app_user'];

/**
 * Each list of children read a page at a time: its index, and the one on the parent key it makes
 * redundant. A list filtered on its status has the status in the index too, after the order's
 * columns, so that a page is read from the index alone (see Loaders.pageBy) before its rows.
 */
const CHILD_LISTS: { name: string; table: string; parent: string; filter?: string; replaces?: string }[] = [
  { name: 'membership_consortium_created_idx', table: 'membership', parent: 'consortium_id', filter: 'status' },
  { name: 'environment_consortium_created_idx', table: 'environment', parent: 'consortium_id', filter: 'status', replaces: 'environment_consortium_idx' },
  { name: 'node_environment_created_idx', table: 'node', parent: 'environment_id', replaces: 'node_environment_idx' },
  { name: 'compilation_consortium_created_idx', table: 'compilation', parent: 'consortium_id' },
];

/**
 * Pages read through an index. The API orders lists by (createdAt, id) and its cursors carry
 * createdAt in milliseconds, all a JavaScript Date holds; stored with microseconds, the order
 * had to be date_trunc('milliseconds', created_at), which no index can serve (date_trunc on a
 * timestamptz is not immutable), so every first page read, sorted and counted all the children
 * of its parent. Stored in milliseconds, the column is the order and the cursor key at once, and
 * an index on (parent, created_at, id) hands each parent's first rows in order. Existing values
 * are truncated, not rounded, so that they stay the times the API has shown and cursors already
 * issued still point where they did.
 */
export class Migration20261203140000 extends Migration {
  override async up(): Promise<void> {
    for (const table of PAGED) {
      this.addSql(`alter table "${table}" alter column "created_at" type timestamptz(3) using date_trunc('milliseconds', "created_at");`);
    }
    for (const list of CHILD_LISTS) {
      const columns = [list.parent, 'created_at', 'id', ...(list.filter ? [list.filter] : [])];
      this.addSql(`create index "${list.name}" on "${list.table}" (${columns.map((c) => `"${c}"`).join(', ')});`);
      if (list.replaces) this.addSql(`drop index if exists "${list.replaces}";`);
    }
  }

  override async down(): Promise<void> {
    for (const list of CHILD_LISTS) {
      if (list.replaces) this.addSql(`create index "${list.replaces}" on "${list.table}" ("${list.parent}");`);
      this.addSql(`drop index if exists "${list.name}";`);
    }
    for (const table of PAGED) {
      this.addSql(`alter table "${table}" alter column "created_at" type timestamptz(6);`);
    }
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * The lists read a page at a time through the entity manager (keysetPage): a consortium's
 * invitations and applications of one status, an organization's pending invitations, service
 * accounts and users. Each gets an index on (parent[, status], created_at, id), which replaces the
 * one on its parent alone: a first page walks the index in the list's order and stops after
 * `first + 1` rows, where it read and sorted every row of the parent.
 */
const LISTS: { name: string; table: string; columns: string[]; replaces: { name: string; columns: string[] } }[] = [
  {
    name: 'invitation_consortium_created_idx',
    table: 'invitation',
    columns: ['consortium_id', 'status', 'created_at', 'id'],
    replaces: { name: 'invitation_consortium_idx', columns: ['consortium_id'] },
  },
  {
    name: 'invitation_invitee_created_idx',
    table: 'invitation',
    columns: ['invitee_organization_id', 'status', 'created_at', 'id'],
    replaces: { name: 'invitation_invitee_status_idx', columns: ['invitee_organization_id', 'status'] },
  },
  {
    name: 'application_consortium_created_idx',
    table: 'application',
    columns: ['consortium_id', 'status', 'created_at', 'id'],
    replaces: { name: 'application_consortium_status_idx', columns: ['consortium_id', 'status'] },
  },
  {
    name: 'service_account_organization_created_idx',
    table: 'service_account',
    columns: ['organization_id', 'created_at', 'id'],
    replaces: { name: 'service_account_organization_idx', columns: ['organization_id'] },
  },
  {
    name: 'app_user_organization_created_idx',
    table: 'app_user',
    columns: ['organization_id', 'created_at', 'id'],
    replaces: { name: 'app_user_organization_idx', columns: ['organization_id'] },
  },
];

const list = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');

export class Migration20261203170000 extends Migration {
  override async up(): Promise<void> {
    for (const l of LISTS) {
      this.addSql(`create index "${l.name}" on "${l.table}" (${list(l.columns)});`);
      this.addSql(`drop index if exists "${l.replaces.name}";`);
    }
  }

  override async down(): Promise<void> {
    for (const l of LISTS) {
      this.addSql(`create index "${l.replaces.name}" on "${l.table}" (${list(l.replaces.columns)});`);
      this.addSql(`drop index if exists "${l.name}";`);
    }
  }
}

import { Migration } from '@mikro-orm/migrations';

/**
 * Invitations by email (§8.1 "Invite by email"): one sent to an address not yet known names no
 * organization until a user with that verified address creates or joins one.
 */
export class Migration20261202172318 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "invitation" alter column "invitee_organization_id" drop not null;`);
    this.addSql(`alter table "invitation" add column "invitee_email" text null;`);
    this.addSql(`create index "invitation_invitee_email_idx" on "invitation" ("invitee_email");`);
    this.addSql(`alter table "invitation" add constraint invitation_invitee_check check (invitee_organization_id is not null or invitee_email is not null);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invitation" drop constraint invitation_invitee_check;`);
    this.addSql(`drop index "invitation_invitee_email_idx";`);
    this.addSql(`alter table "invitation" drop column "invitee_email";`);
    this.addSql(`delete from "invitation" where "invitee_organization_id" is null;`);
    this.addSql(`alter table "invitation" alter column "invitee_organization_id" set not null;`);
  }

}

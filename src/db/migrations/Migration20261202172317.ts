import { Migration } from '@mikro-orm/migrations';

/**
 * Whether a user's address was verified by their identity provider (§8.1 "Claiming by email needs
 * a verified email"). Users who signed in before the column existed were accepted as verified.
 */
export class Migration20261202172317 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" add column "email_verified" boolean not null default false;`);
    this.addSql(`update "app_user" set "email_verified" = true where "subject" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "app_user" drop column "email_verified";`);
  }

}

import { Migration } from '@mikro-orm/migrations';

export class Migration20261122044019 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "application" add column "display_name" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "application" drop column "display_name";`);
  }

}

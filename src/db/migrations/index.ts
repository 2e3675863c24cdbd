import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122043015 } from './Migration20261122043015';
import { Migration20261122044019 } from './Migration20261122044019';
import { Migration20261202161500 } from './Migration20261202161500';
import { Migration20261202172317 } from './Migration20261202172317';
import { Migration20261202172318 } from './Migration20261202172318';
import { Migration20261202172500 } from './Migration20261202172500';
import { Migration20261202174000 } from './Migration20261202174000';
import { Migration20261202174800 } from './Migration20261202174800';
import { Migration20261202181515 } from './Migration20261202181515';
import { Migration20261202182714 } from './Migration20261202182714';
import { Migration20261202190000 } from './Migration20261202190000';
import { Migration20261202210000 } from './Migration20261202210000';
import { Migration20261202213000 } from './Migration20261202213000';
import { Migration20261203140000 } from './Migration20261203140000';
import { Migration20261203170000 } from './Migration20261203170000';

/** Committed migrations, in order. Listed explicitly so that compiled output and tests agree. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122043015', class: Migration20261122043015 },
  { name: 'Migration20261122044019', class: Migration20261122044019 },
  { name: 'Migration20261202161500', class: Migration20261202161500 },
  { name: 'Migration20261202172317', class: Migration20261202172317 },
  { name: 'Migration20261202172318', class: Migration20261202172318 },
  { name: 'Migration20261202172500', class: Migration20261202172500 },
  { name: 'Migration20261202174000', class: Migration20261202174000 },
  { name: 'Migration20261202174800', class: Migration20261202174800 },
  { name: 'Migration20261202181515', class: Migration20261202181515 },
  { name: 'Migration20261202182714', class: Migration20261202182714 },
  { name: 'Migration20261202190000', class: Migration20261202190000 },
  { name: 'Migration20261202210000', class: Migration20261202210000 },
  { name: 'Migration20261202213000', class: Migration20261202213000 },
  { name: 'Migration20261203140000', class: Migration20261203140000 },
  { name: 'Migration20261203170000', class: Migration20261203170000 },
];

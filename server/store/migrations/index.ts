import type { Migration } from '../migrate.ts';
import { foundation } from './0001_foundation.ts';

/** Every migration in order. A feature adds its file here; never edit a released one. */
export const migrations: Migration[] = [foundation];

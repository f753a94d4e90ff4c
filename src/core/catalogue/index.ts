/** Durable definitions: the catalogue file and rebuilding routing from it. */
export { Catalogue, guestUser, newObjectId, type CatalogueOptions, type DefaultUser, type RecoveryInfo } from './catalogue.js';
export { restoreRouter, type RestoreHooks } from './restore.js';
export { effectivePolicy, type PolicyTarget } from './policies.js';
export type * from './types.js';

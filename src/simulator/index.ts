/**
 * The Autotask simulator: a seeded demo MSP (`generateTenant`) served over a faithful REST API
 * (`startSimulator`). Powers `psa-reports demo`, `psa-reports simulate` and every integration test.
 */
export { startSimulator, DEFAULT_CREDENTIALS } from './server.js';
export type { Simulator, SimulatorOptions, SimulatorStats, SimCredentials, Faults } from './server.js';
export { generateTenant, SCALES } from './generator.js';
export type { GenerateOptions } from './generator.js';
export { Tenant } from './tenant.js';
export type { Scale } from './tenant.js';
export type { AdvanceSummary } from './advance.js';
export { SIM_ENTITIES, defaultPicklists } from './schema.js';
export type { PicklistValue, SimEntity, SimField } from './schema.js';

/**
 * The MPAS simulator: Keycloak's token and admin event endpoints over real HTTP, for the demo,
 * the tests and the benchmarks.
 */
export { startMpasSimulator } from './start-mpas-simulator.js';
export type {
  ApiMode,
  FailNextOptions,
  FaultControls,
  KeycloakVersion,
  LateCommitOptions,
  LiveTrafficOptions,
  MpasSimulator,
  MpasSimulatorOptions,
  SimulatedClient,
  SimulatedUser,
  SimulatorRoute,
  SimulatorStats,
  TieOrder,
  VersionTraits,
} from './simulator-options.js';
export { keycloakVersionTraits } from './simulator-options.js';
export { MpasSimulatorError, SimulatorUsageError, UnknownRealmError } from './errors.js';

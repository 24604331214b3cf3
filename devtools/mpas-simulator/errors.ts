/** The base of every error the MPAS simulator throws at the code driving it (not HTTP errors). */
export class MpasSimulatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A simulator option or control call was given something it cannot use. */
export class SimulatorUsageError extends MpasSimulatorError {
  constructor(
    message: string,
    /** The option or argument at fault, when there is one. */
    readonly setting?: string,
  ) {
    super(message);
  }
}

/** `add` or `count` named a realm the simulator was not started with. */
export class UnknownRealmError extends MpasSimulatorError {
  constructor(readonly realm: string, readonly knownRealms: readonly string[]) {
    super(`realm '${realm}' is not one of the simulator's realms (${knownRealms.join(', ')}): add it to the 'realms' option`);
  }
}

/**
 * One thing wrong with a tenant's deployment: the tenant file it came from (when there is
 * one), the setting's dotted path inside it, and what is wrong, never the setting's value.
 */
export interface TenantProblem {
  readonly file?: string;
  readonly setting: string;
  readonly message: string;
}

/** Base of every error the CDK app raises on purpose; `cause` keeps the underlying error. */
export class InfraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A tenant file cannot be deployed: missing, not JSON, or a setting is wrong. Carries every
 * problem at once, so one `cdk synth` shows the operator the whole list.
 */
export class TenantConfigError extends InfraError {
  constructor(
    readonly problems: readonly TenantProblem[],
    options?: { cause?: unknown },
  ) {
    super(formatProblems('invalid tenant configuration', problems), options);
  }
}

/**
 * Settings that are each valid but break a rule together (the queue's visibility timeout
 * against the forwarder's timeout, ...), found when the stacks are built.
 */
export class DeploymentRuleError extends InfraError {
  constructor(
    readonly tenant: string,
    readonly problems: readonly TenantProblem[],
  ) {
    super(formatProblems(`tenant ${tenant}: the deployment settings break a rule`, problems));
  }
}

function formatProblems(title: string, problems: readonly TenantProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => `${p.setting}${p.file === undefined ? '' : ` (in ${p.file})`}: ${p.message}`);
  return [`${title} (${count}):`, ...lines].join('\n');
}

import { fileURLToPath } from 'node:url';
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadTenants, tenantsDirectory } from '../config/load-tenants.js';
import { InfraError } from '../config/infra-errors.js';
import { addNagSuppressions } from '../nag/nag-suppressions.js';
import { addTenantStacks } from '../tenant-app.js';

// The CDK app: `cdk synth -c tenant=<name>` for one tenant, `-c tenant=all` (or nothing) for
// every file in infra/tenants/ (or the directory `-c tenantsDir=<path>` names). Tenant files
// are read once here and passed down as props.
const app = new App();
const selection: unknown = app.node.tryGetContext('tenant');
try {
  const directory = tenantsDirectory(app.node.tryGetContext('tenantsDir'), fileURLToPath(new URL('../tenants/', import.meta.url)));
  const tenants = loadTenants(directory, typeof selection === 'string' ? selection : undefined);
  for (const stacks of addTenantStacks(app, tenants).values()) addNagSuppressions(stacks);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  app.synth();
} catch (error) {
  if (!(error instanceof InfraError)) throw error;
  // The operator's mistake: the problems, without a stack trace.
  console.error(error.message);
  process.exitCode = 1;
}

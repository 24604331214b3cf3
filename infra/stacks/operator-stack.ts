import { Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OperatorDashboard } from '../constructs/operator-dashboard.js';

/** Props of {@link OperatorStack}. */
export interface OperatorStackProps extends StackProps {
  /** The tenants deployed in the stack's account and region. */
  readonly tenants: readonly string[];
}

/**
 * What the tenants of one account and region share, paid once rather than per tenant: the
 * operator dashboard. It refers to no tenant resource (the dashboard finds them by name), so
 * tenants deploy and go without it, and it is deployed again when the list of tenants changes.
 */
export class OperatorStack extends Stack {
  /** The dashboard of every tenant in this account and region. */
  public readonly dashboard: OperatorDashboard;

  constructor(scope: Construct, id: string, props: OperatorStackProps) {
    super(scope, id, props);
    this.dashboard = new OperatorDashboard(this, 'Dashboard', { tenants: props.tenants });
  }
}

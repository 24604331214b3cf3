import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { OperatorDashboard } from '../constructs/operator-dashboard.js';
import { allowTenantServicesToUseKey, keyDefaults } from '../constructs/secure-defaults.js';

/** Props of {@link OperatorStack}. */
export interface OperatorStackProps extends StackProps {
  /** The tenants deployed in the stack's account and region. */
  readonly tenants: readonly string[];
  /** Whether any of them has `encryptionKey: "shared"`: only then is the shared key made. */
  readonly sharedKey: boolean;
  /** Whether any of them has a Security Lake destination: only then the dashboard shows the lake compactor's row. @default false */
  readonly securityLake?: boolean;
}

/**
 * What the tenants of one account and region share, paid once rather than per tenant: the
 * operator dashboard and the KMS key of the tenants whose file says `encryptionKey: "shared"`
 * (docs/data-at-rest.md). The dashboard refers to no tenant resource (it finds them by name);
 * the data stacks of shared-key tenants refer to the key, so this stack deploys before them.
 */
export class OperatorStack extends Stack {
  /** The dashboard of every tenant in this account and region. */
  public readonly dashboard: OperatorDashboard;
  /** The key shared by the tenants of this account and region; undefined when every one has its own. */
  public readonly sharedKey: Key | undefined;

  constructor(scope: Construct, id: string, props: OperatorStackProps) {
    super(scope, id, props);
    this.dashboard = new OperatorDashboard(this, 'Dashboard', { tenants: props.tenants, securityLake: props.securityLake ?? false });
    if (props.sharedKey) {
      this.sharedKey = new Key(this, 'SharedKey', keyDefaults(`tenants of ${this.account} ${this.region}`));
      allowTenantServicesToUseKey(this.sharedKey);
      new CfnOutput(this, 'SharedKeyArn', { value: this.sharedKey.keyArn });
    }
  }
}

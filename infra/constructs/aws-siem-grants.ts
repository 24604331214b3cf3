import { Arn, ArnFormat, Aws } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { AppConfig } from '../../lib/config/app-config-schema.js';

/** One AWS destination the forwarder puts events to: the action its sink calls and the resource. */
export interface AwsSiemPut {
  readonly action: 'events:PutEvents' | 'firehose:PutRecordBatch';
  readonly resource: string;
}

/** Every SIEM destination a configuration delivers to: the `siem` one (unless routes replace it) and each route's. */
export function configuredSiems(config: Pick<AppConfig, 'defaultRoute' | 'siem' | 'routes'>): Array<AppConfig['siem']> {
  return [...(config.defaultRoute === false ? [] : [config.siem]), ...(config.routes ?? []).map((route) => route.siem)];
}

/**
 * The EventBridge buses and Firehose streams of a configuration (the `siem` destination and
 * every route's), as the ARNs IAM names them: an ARN as given, a name in the setting's region,
 * else the stack's, and the stack's account.
 */
export function awsSiemPuts(config: AppConfig): AwsSiemPut[] {
  const arn = (service: string, resource: string, name: string, region: string | undefined) =>
    name.startsWith('arn:') ? name : Arn.format({ partition: Aws.PARTITION, service, region: region ?? Aws.REGION, account: Aws.ACCOUNT_ID, resource, resourceName: name, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const puts = configuredSiems(config).flatMap((siem): AwsSiemPut[] => {
    if (siem.type === 'eventbridge') return [{ action: 'events:PutEvents', resource: arn('events', 'event-bus', siem.eventbridge.bus, siem.eventbridge.region) }];
    if (siem.type === 'firehose') return [{ action: 'firehose:PutRecordBatch', resource: arn('firehose', 'deliverystream', siem.firehose.stream, siem.firehose.region) }];
    return [];
  });
  return [...new Map(puts.map((put) => [`${put.action} ${put.resource}`, put])).values()];
}

/** Lets `grantee` put events to exactly the buses and streams configured, nothing else (no describe, no other bus). */
export function grantAwsSiemPuts(grantee: IGrantable, config: AppConfig): void {
  for (const put of awsSiemPuts(config)) grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [put.action], resources: [put.resource] }));
}

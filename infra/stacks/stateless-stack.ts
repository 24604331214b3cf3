import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { assertDeploymentRules } from '../config/deployment-rules.js';
import type { TenantDeployment } from '../config/load-tenants.js';
import { forwarderEnvironment, serviceEnvironment } from '../../lib/config/lambda-config.js';
import { grantAwsSiemPuts } from '../constructs/aws-siem-grants.js';
import { ForwarderFunction } from '../constructs/forwarder-function.js';
import { grantRetiredKeyDecrypt } from '../constructs/function-grants.js';
import { LakeCompactorFunction } from '../constructs/lake-compactor-function.js';
import { PollerFunction } from '../constructs/poller-function.js';
import { compactedSecurityLakes, lakeCompactorConfig, withStackStaging } from '../constructs/security-lake-destinations.js';
import type { StackStagingArea } from '../constructs/security-lake-destinations.js';
import { TenantAlarms } from '../constructs/tenant-alarms.js';
import { VerifierFunction } from '../constructs/verifier-function.js';
import type { StatefulStack } from './stateful-stack.js';

/** An S3 bucket name's and a region's longest: what {@link StatelessStack} reckons the environment's size with. */
const LONGEST_STAGING_AREA: StackStagingArea = { bucket: 'b'.repeat(63), region: 'r'.repeat(16) };

/** Props of {@link StatelessStack}. */
export interface StatelessStackProps extends StackProps {
  /** The tenant, as its file gave it. */
  readonly tenant: TenantDeployment;
  /** The tenant's tables, queues, key and secrets. */
  readonly stateful: StatefulStack;
}

/**
 * The tenant's code and wiring, safe to replace at every deploy: the poller and its schedule,
 * the forwarder and its event source, their roles and log groups, the alarms with their topic
 * (the dashboard is the operator stack's, one for every tenant of the account and region). Building it checks the
 * rules between the deployment settings and throws every broken one.
 */
export class StatelessStack extends Stack {
  /** The poller, its role and schedule. */
  public readonly poller: PollerFunction;
  /** The forwarder, its role and event source. */
  public readonly forwarder: ForwarderFunction;
  /** The alarm topic and the alarms. */
  public readonly alarms: TenantAlarms;
  /** The Security Lake compactor of every security-lake destination (`siem` or a route); undefined without one. */
  public readonly lakeCompactor: LakeCompactorFunction | undefined;
  /** The daily verification; undefined without an event archive. */
  public readonly verifier: VerifierFunction | undefined;
  /** Whether both functions send traces to X-Ray. */
  public readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { tenant, stateful } = props;
    const { deployment } = tenant;
    const { config } = tenant.service;
    const environment = serviceEnvironment(config);
    const lakes = compactedSecurityLakes(config);
    // Every security-lake destination stages in this tenant's large-payload bucket (the routes' staging is part of ROUTES).
    const staged = (area: StackStagingArea) => (lakes === undefined ? config : withStackStaging(config, area));
    const stagingArea = stateful.largePayloads.lakeStagingArea();
    const forwarderService = forwarderEnvironment(staged(stagingArea));
    // The bucket's name and the region are tokens here: the size is reckoned with the longest they can be.
    const longestForwarderService = forwarderEnvironment(staged(LONGEST_STAGING_AREA));
    // The larger of the two (the forwarder's, with ROUTES) is held to Lambda's 4 KB limit.
    const bytes = (variables: Record<string, string>) => Object.entries(variables).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
    assertDeploymentRules(tenant.name, deployment, bytes(longestForwarderService) > bytes(environment) ? longestForwarderService : environment);
    this.tracing = deployment.xray;
    const logRetention = deployment.logRetentionDays as RetentionDays;

    this.poller = new PollerFunction(this, 'Poller', {
      tenant: tenant.name,
      settings: deployment.poller,
      scheduleMinutes: deployment.scheduleMinutes,
      enabled: !deployment.paused,
      logRetention,
      key: stateful.key,
      xray: deployment.xray,
      serviceEnvironment: environment,
      cursorTable: stateful.cursorTable,
      queue: stateful.queue,
      mpasSecret: stateful.mpasSecret,
      largePayloads: stateful.largePayloads,
    });
    this.forwarder = new ForwarderFunction(this, 'Forwarder', {
      tenant: tenant.name,
      settings: deployment.forwarder,
      enabled: !deployment.paused,
      logRetention,
      key: stateful.key,
      xray: deployment.xray,
      serviceEnvironment: forwarderService,
      idempotencyTable: stateful.idempotencyTable,
      queue: stateful.queue,
      deadLetterQueue: stateful.deadLetterQueue,
      siemSecret: stateful.siemSecret,
      routeSecrets: stateful.routeSecrets,
      archive: stateful.archive,
      largePayloads: stateful.largePayloads,
      lakeStagingPrefixes: lakes?.destinations.map(({ stagingPrefix }) => stagingPrefix) ?? [],
    });
    const compactorConfig = lakeCompactorConfig(staged(stagingArea));
    this.lakeCompactor = lakes === undefined || compactorConfig === undefined
      ? undefined
      : new LakeCompactorFunction(this, 'LakeCompactor', {
          tenant: tenant.name,
          logRetention,
          key: stateful.key,
          xray: deployment.xray,
          serviceEnvironment: forwarderEnvironment(compactorConfig),
          enabled: !deployment.paused,
          largePayloads: stateful.largePayloads,
          lakes,
        });
    grantAwsSiemPuts(this.forwarder.function, tenant.service.config);
    // The daily verification reads the archive: without one there is nothing to compare with.
    this.verifier = stateful.archive && deployment.archive.dailyVerification
      ? new VerifierFunction(this, 'Verifier', {
          tenant: tenant.name,
          logRetention,
          key: stateful.key,
          serviceEnvironment: environment,
          cursorTable: stateful.cursorTable,
          archiveBucket: stateful.archive.bucket,
          mpasSecret: stateful.mpasSecret,
          enabled: !deployment.paused,
        })
      : undefined;
    const { retiredKeyArn } = deployment;
    if (retiredKeyArn !== undefined) {
      const readers = [this.poller.function, this.forwarder.function, ...(this.verifier ? [this.verifier.function] : []), ...(this.lakeCompactor ? [this.lakeCompactor.function] : [])];
      for (const reader of readers) grantRetiredKeyDecrypt(retiredKeyArn, reader);
    }
    this.alarms = new TenantAlarms(this, 'Alarms', {
      tenant: tenant.name,
      alarmEmail: deployment.alarmEmail,
      lagAlarmSeconds: deployment.lagAlarmSeconds,
      key: stateful.key,
      poller: this.poller.function,
      pollerLogs: this.poller.logGroup,
      forwarderLogs: this.forwarder.logGroup,
      deadLetterQueue: stateful.deadLetterQueue,
      archive: stateful.archive !== undefined,
      ...(deployment.cursorExpiryAlarmPercent === undefined ? {} : { cursorExpiryAlarmPercent: deployment.cursorExpiryAlarmPercent }),
      ...(this.verifier ? { verifier: this.verifier.function } : {}),
      ...(this.lakeCompactor ? { lakeCompactor: this.lakeCompactor.function } : {}),
    });

    // What the runbook (docs/runbook.md) pauses and resumes by name.
    new CfnOutput(this, 'ScheduleName', { value: this.poller.schedule.scheduleName });
    new CfnOutput(this, 'ForwarderEventSourceMappingId', { value: this.forwarder.eventSource.eventSourceMappingId });
    new CfnOutput(this, 'PollerFunctionName', { value: this.poller.function.functionName });
    new CfnOutput(this, 'ForwarderFunctionName', { value: this.forwarder.function.functionName });
    if (this.lakeCompactor) {
      new CfnOutput(this, 'LakeCompactorScheduleName', { value: this.lakeCompactor.schedule.scheduleName });
      new CfnOutput(this, 'LakeCompactorFunctionName', { value: this.lakeCompactor.function.functionName });
    }
  }
}

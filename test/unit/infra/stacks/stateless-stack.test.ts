import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentRuleError } from '../../../../infra/config/infra-errors.js';
import { serviceEnvironment } from '../../../../lib/config/lambda-config.js';
import { addTenantStacks } from '../../../../infra/tenant-app.js';
import { cdkContext, shippedTenant, synthesizeTenants } from '../../../support/infra-synth.js';
import type { SynthesizedApp } from '../../../support/infra-synth.js';

// Synthesis (and bundling) is slow on a small, shared machine.
const SYNTH_TIMEOUT_MS = 120_000;

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy['Properties']['Roles'] as Array<{ Ref: string }>).some((role) => role.Ref.startsWith(rolePrefix)),
  );
  return policies.flatMap((policy) => policy['Properties']['PolicyDocument']['Statement'] as Statement[]);
}

/** The statement granting `action`, and what it is granted on (as JSON, to look for logical ids). */
function grantOf(statements: Statement[], action: string): string | undefined {
  const statement = statements.find((candidate) => ([] as string[]).concat(candidate.Action).includes(action));
  return statement === undefined ? undefined : JSON.stringify(statement.Resource);
}

// A template's JSON, read as loosely as the assertions library hands it out.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function functionOf(template: Template, prefix: 'Poller' | 'Forwarder'): Json {
  const [resource, ...others] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(`${prefix}Function`));
  expect(others).toEqual([]);
  return resource![1]['Properties'];
}

describe('StatelessStack', () => {
  let synthesized: SynthesizedApp;
  let example: Template;
  let northwind: Template;
  let paused: Template;
  beforeAll(() => {
    const exampleTenant = shippedTenant('example');
    const pausedTenant = { ...exampleTenant, name: 'paused', deployment: { ...exampleTenant.deployment, paused: true } };
    synthesized = synthesizeTenants([exampleTenant, shippedTenant('northwind'), pausedTenant]);
    example = synthesized.template('mpas-log-sync-example-service');
    northwind = synthesized.template('mpas-log-sync-northwind-service');
    paused = synthesized.template('mpas-log-sync-paused-service');
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => synthesized?.dispose());

  it('runs both functions on arm64 and the newest Node.js runtime, bundled as ES modules with source maps', () => {
    for (const template of [example, northwind]) {
      for (const name of ['Poller', 'Forwarder'] as const) {
        const fn = functionOf(template, name);
        expect(fn['Runtime']).toBe('nodejs24.x');
        expect(fn['Architectures']).toEqual(['arm64']);
        expect(fn['Handler']).toBe('index.handler');
        expect(fn['Environment']['Variables']['NODE_OPTIONS']).toBe('--enable-source-maps');
        expect(fn['LoggingConfig']).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(new RegExp(`^${name}Logs`)) } });
      }
    }
  });

  it("keeps each function's logs as long as the tenant file says", () => {
    example.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 2);
    // northwind verifies each day: the verifier's logs too.
    northwind.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 3);
  });

  it('traces with X-Ray only when the tenant asks for it', () => {
    for (const name of ['Poller', 'Forwarder'] as const) {
      expect(functionOf(example, name)['TracingConfig']).toBeUndefined();
      expect(functionOf(northwind, name)['TracingConfig']).toEqual({ Mode: 'Active' });
    }
    expect(grantOf(statementsOf(example, 'PollerRole'), 'xray:PutTraceSegments')).toBeUndefined();
    expect(grantOf(statementsOf(northwind, 'PollerRole'), 'xray:PutTraceSegments')).toBe('"*"');
  });

  it('runs one poller at a time, with the timeout and read budget of the tenant file', () => {
    expect(functionOf(example, 'Poller')).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 75, MemorySize: 512 });
    expect(functionOf(northwind, 'Poller')).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 120 });
    expect(functionOf(example, 'Poller')['Environment']['Variables']['POLL_BUDGET_SHARE']).toBe('0.8');
    expect(functionOf(northwind, 'Poller')['Environment']['Variables']['POLL_BUDGET_SHARE']).toBe('0.75');
    expect(functionOf(example, 'Forwarder')['ReservedConcurrentExecutions']).toBeUndefined();
  });

  it('gives both functions the service settings of the tenant file and the poller only its own resources', () => {
    for (const [name, template] of [['example', example], ['northwind', northwind]] as const) {
      const expected = serviceEnvironment(shippedTenant(name).service.config);
      const poller = functionOf(template, 'Poller')['Environment']['Variables'];
      const forwarder = functionOf(template, 'Forwarder')['Environment']['Variables'];
      expect(poller).toMatchObject(expected);
      expect(forwarder).toMatchObject(expected);
      expect(JSON.stringify(poller['CURSOR_TABLE_NAME'])).toContain('CursorTable');
      expect(JSON.stringify(poller['QUEUE_URL'])).toMatch(/RefQueue/);
      expect(Object.keys(poller)).not.toEqual(expect.arrayContaining(['IDEMPOTENCY_TABLE_NAME']));
      expect(poller).not.toHaveProperty('SIEM_SECRET_ARN');
      expect(poller).not.toHaveProperty('DEAD_LETTER_QUEUE_URL');
      expect(JSON.stringify(forwarder['IDEMPOTENCY_TABLE_NAME'])).toContain('IdempotencyTable');
      expect(JSON.stringify(forwarder['DEAD_LETTER_QUEUE_URL'])).toContain('DeadLetterQueue');
      expect(forwarder['IDEMPOTENCY_TTL_SECONDS']).toBe(String(4 * 86_400));
      expect(forwarder).not.toHaveProperty('CURSOR_TABLE_NAME');
    }
  });

  it('reads created secrets by ARN and imported ones by the name in the tenant file', () => {
    expect(JSON.stringify(functionOf(example, 'Poller')['Environment']['Variables']['MPAS_SECRET_ARN'])).toContain('RefMpasSecret');
    expect(JSON.stringify(functionOf(example, 'Forwarder')['Environment']['Variables']['SIEM_SECRET_ARN'])).toContain('RefSiemSecret');
    expect(functionOf(northwind, 'Poller')['Environment']['Variables']['MPAS_SECRET_ARN']).toBe('northwind/mpas-log-sync/mpas');
    expect(functionOf(northwind, 'Forwarder')['Environment']['Variables']['SIEM_SECRET_ARN']).toBe('northwind/mpas-log-sync/siem');
  });

  it("starts the poller on the tenant's schedule through EventBridge Scheduler, without retries, telling it when the next run starts", () => {
    for (const [template, rate, seconds] of [[example, 'rate(1 minute)', 60], [northwind, 'rate(5 minutes)', 300]] as const) {
      // northwind's second schedule is the daily verification's.
      template.resourceCountIs('AWS::Scheduler::Schedule', template === northwind ? 2 : 1);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: rate,
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerFunction'), 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PollerScheduleRole'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
          Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>', scheduleSeconds: seconds }),
        },
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } } })],
        },
      });
    }
  });

  it('feeds the forwarder from the queue with partial batch responses, the batch settings and bounded concurrency', () => {
    example.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('Queue4A7E3555Arn') },
    });
    northwind.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    expect(functionOf(example, 'Forwarder')['Timeout']).toBe(60);
    expect(functionOf(northwind, 'Forwarder')['Timeout']).toBe(90);
  });

  it('lets the poller write only its log group, the cursor table, the queue, the key and the MPAS secret', () => {
    const statements = statementsOf(example, 'PollerRole');
    expect(grantOf(statements, 'logs:PutLogEvents')).toMatch(/^\{"Fn::GetAtt":\["PollerLogs[0-9A-F]+","Arn"\]\}$/);
    expect(grantOf(statements, 'dynamodb:UpdateItem')).toMatch(/CursorTable/);
    expect(grantOf(statements, 'dynamodb:UpdateItem')).not.toMatch(/IdempotencyTable/);
    expect(grantOf(statements, 'sqs:SendMessage')).toMatch(/^\{"Fn::ImportValue":"[^"]*Queue4A7E3555Arn[^"]*"\}$/);
    expect(grantOf(statements, 'sqs:ReceiveMessage')).toBeUndefined();
    expect(grantOf(statements, 'kms:Decrypt')).toMatch(/SharedKey1EE60F1EArn/);
    expect(grantOf(statements, 'secretsmanager:GetSecretValue')).toMatch(/MpasSecret/);
    expect(grantOf(statements, 'secretsmanager:GetSecretValue')).not.toMatch(/SiemSecret/);
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });

  it('lets the forwarder use only its table, consume and re-send on the queue, dead-letter, and read the SIEM secret', () => {
    const statements = statementsOf(example, 'ForwarderRole');
    expect(grantOf(statements, 'dynamodb:PutItem')).toMatch(/IdempotencyTable/);
    expect(grantOf(statements, 'dynamodb:PutItem')).not.toMatch(/CursorTable/);
    expect(grantOf(statements, 'sqs:ReceiveMessage')).toMatch(/Queue4A7E3555Arn/);
    expect(grantOf(statements, 'sqs:ChangeMessageVisibility')).toMatch(/Queue4A7E3555Arn/);
    expect(grantOf(statements, 'sqs:SendMessage')).toMatch(/DeadLetterQueue9F481546Arn.*Queue4A7E3555Arn|Queue4A7E3555Arn.*DeadLetterQueue9F481546Arn/);
    const secrets = statements.filter((statement) => ([] as string[]).concat(statement.Action).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(secrets)).toMatch(/SiemSecret/);
  });

  /** Every action a role may take, with what it is granted on (logical ids and names only, as one string per action). */
  function actionsOf(template: Template, rolePrefix: string): Map<string, string> {
    const actions = new Map<string, string>();
    for (const statement of statementsOf(template, rolePrefix)) {
      for (const action of ([] as string[]).concat(statement.Action)) actions.set(action, `${actions.get(action) ?? ''}${JSON.stringify(statement.Resource)}`);
    }
    return actions;
  }

  // The actions the code calls (issue #18): each role's exact list, so a broad grant coming back fails here.
  const KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
  const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
  const POLLER_ACTIONS = [
    ...LOG_ACTIONS, ...KEY_ACTIONS,
    'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
    's3:PutObject', 'secretsmanager:GetSecretValue', 'sqs:SendMessage',
  ].sort();
  const FORWARDER_ACTIONS = [
    ...LOG_ACTIONS, ...KEY_ACTIONS,
    'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem',
    's3:DeleteObject', 's3:GetObject', 's3:PutObject', 'secretsmanager:GetSecretValue',
    // Lambda's event source mapping receives and deletes in the function's name; the code changes visibility to back off.
    'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage',
  ].sort();
  const VERIFIER_ACTIONS = [...LOG_ACTIONS, 'kms:Decrypt', 'kms:DescribeKey', 'dynamodb:GetItem', 's3:GetObject', 's3:ListBucket', 'secretsmanager:GetSecretValue'].sort();
  const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

  it('grants each function exactly the actions its code calls: no Scan, Query, BatchWriteItem, DescribeSecret or queue lookups', () => {
    for (const template of [example, northwind]) {
      const tracing = JSON.stringify(template.toJSON()).includes('xray:PutTraceSegments') ? XRAY_ACTIONS : [];
      expect([...actionsOf(template, 'PollerRole').keys()].sort()).toEqual([...POLLER_ACTIONS, ...tracing].sort());
      expect([...actionsOf(template, 'ForwarderRole').keys()].sort()).toEqual([...FORWARDER_ACTIONS, ...tracing].sort());
    }
    expect([...actionsOf(northwind, 'VerifierRole').keys()].sort()).toEqual(VERIFIER_ACTIONS);
    // Each table only to the function that uses it.
    expect(actionsOf(example, 'PollerRole').get('dynamodb:PutItem')).toMatch(/^[^,]*CursorTable[^,]*$/);
    expect(actionsOf(example, 'ForwarderRole').get('dynamodb:DeleteItem')).toMatch(/^[^,]*IdempotencyTable[^,]*$/);
    expect(actionsOf(northwind, 'VerifierRole').get('dynamodb:GetItem')).toMatch(/^[^,]*CursorTable[^,]*$/);
    // The poller sends to the queue only, the forwarder to the queue and the dead-letter queue.
    expect(actionsOf(example, 'PollerRole').get('sqs:SendMessage')).not.toMatch(/DeadLetterQueue/);
  });

  it('lets a created secret be decrypted with the tenant key only through Secrets Manager', () => {
    for (const rolePrefix of ['PollerRole', 'ForwarderRole']) {
      const decrypt = statementsOf(example, rolePrefix).filter((statement) => ([] as string[]).concat(statement.Action).join() === 'kms:Decrypt');
      expect(decrypt).toEqual([
        expect.objectContaining({
          Resource: { 'Fn::ImportValue': expect.stringMatching(/SharedKey1EE60F1EArn/) },
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' } },
        }),
      ]);
    }
    // northwind's secrets are imported: they keep their own key, which the stack does not grant.
    expect(JSON.stringify(statementsOf(northwind, 'PollerRole'))).not.toContain('kms:ViaService');
  });

  it("encrypts every function's log group with the tenant's key", () => {
    for (const template of [example, northwind]) {
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(2);
      for (const group of groups) expect(JSON.stringify(group['Properties']['KmsKeyId'])).toMatch(/SharedKey1EE60F1EArn/);
    }
  });

  it('gives the forwarder neither access to the MPAS secret nor its ARN: it never calls MPAS', () => {
    for (const template of [example, northwind]) {
      const statements = statementsOf(template, 'ForwarderRole');
      expect(JSON.stringify(statements)).not.toMatch(/MpasSecret|mpas-log-sync\/mpas/);
      expect(functionOf(template, 'Forwarder')['Environment']['Variables']).not.toHaveProperty('MPAS_SECRET_ARN');
      expect(JSON.stringify(statementsOf(template, 'PollerRole'))).toMatch(/MpasSecret|mpas-log-sync\/mpas/);
    }
  });

  it('lets the forwarder put archive objects under events/ only, and tells it where, when the tenant archives', () => {
    const statements = statementsOf(northwind, 'ForwarderRole');
    const archiveStatements = statements.filter((statement) => JSON.stringify(statement.Resource).includes('ArchiveBucket'));
    expect(archiveStatements).toEqual([
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringMatching(/ArchiveBucket.*Arn/) }, '/events/*']] } }),
    ]);
    expect(grantOf(statements, 'kms:GenerateDataKey')).toMatch(/SharedKey1EE60F1EArn/);
    const forwarder = functionOf(northwind, 'Forwarder')['Environment']['Variables'];
    expect(JSON.stringify(forwarder['ARCHIVE_BUCKET'])).toMatch(/ArchiveBucket/);
    expect(forwarder['ARCHIVE_PREFIX']).toBe('events/');
    expect(JSON.stringify(statementsOf(northwind, 'PollerRole'))).not.toMatch(/ArchiveBucket/);
    expect(functionOf(northwind, 'Poller')['Environment']['Variables']).not.toHaveProperty('ARCHIVE_BUCKET');
    // example.json does not archive.
    expect(JSON.stringify(statementsOf(example, 'ForwarderRole'))).not.toMatch(/ArchiveBucket/);
    expect(functionOf(example, 'Forwarder')['Environment']['Variables']).not.toHaveProperty('ARCHIVE_BUCKET');
  });

  it('lets the poller store large payloads and the forwarder read, store and delete them, under large-payloads/ only, both told where and with which key', () => {
    const s3Grants = (rolePrefix: string) =>
      statementsOf(example, rolePrefix).filter((statement) => ([] as string[]).concat(statement.Action).some((action) => action.startsWith('s3:')));
    const objects = { 'Fn::Join': ['', [{ 'Fn::ImportValue': expect.stringMatching(/LargePayloadsBucket.*Arn/) }, '/large-payloads/*']] };
    expect(s3Grants('PollerRole')).toEqual([expect.objectContaining({ Action: 's3:PutObject', Resource: objects })]);
    expect(s3Grants('ForwarderRole')).toEqual([expect.objectContaining({ Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], Resource: objects })]);
    expect(grantOf(statementsOf(example, 'PollerRole'), 'kms:GenerateDataKey')).toMatch(/SharedKey1EE60F1EArn/);
    for (const prefix of ['Poller', 'Forwarder'] as const) {
      const variables = functionOf(example, prefix)['Environment']['Variables'];
      expect(JSON.stringify(variables['LARGE_PAYLOAD_BUCKET'])).toMatch(/LargePayloadsBucket/);
      expect(JSON.stringify(variables['LARGE_PAYLOAD_KMS_KEY'])).toMatch(/SharedKey1EE60F1EArn/);
    }
  });

  it('gives the forwarder the backoff the queue\'s receive count was derived from', () => {
    for (const [template, name] of [[example, 'example'], [northwind, 'northwind']] as const) {
      const { forwarder } = shippedTenant(name).deployment;
      const variables = functionOf(template, 'Forwarder')['Environment']['Variables'];
      expect(variables['RETRY_BASE_SECONDS']).toBe(String(forwarder.retryBaseSeconds));
      expect(variables['RETRY_MAX_SECONDS']).toBe(String(forwarder.retryMaxSeconds));
    }
  });

  it('grants imported secrets by name, with the suffix Secrets Manager adds', () => {
    const secretGrants = (rolePrefix: string) =>
      JSON.stringify(statementsOf(northwind, rolePrefix).filter((statement) => ([] as string[]).concat(statement.Action).includes('secretsmanager:GetSecretValue')));
    expect(secretGrants('ForwarderRole')).toContain(':secret:northwind/mpas-log-sync/siem-??????');
    expect(secretGrants('PollerRole')).toContain(':secret:northwind/mpas-log-sync/mpas-??????');
  });

  it('names the schedule and the event source mapping in outputs, for pausing and resuming', () => {
    example.hasOutput('ScheduleName', { Value: { Ref: example.getResourceId('AWS::Scheduler::Schedule') } });
    example.hasOutput('ForwarderEventSourceMappingId', { Value: { Ref: example.getResourceId('AWS::Lambda::EventSourceMapping') } });
    for (const name of ['PollerFunctionName', 'ForwarderFunctionName']) example.hasOutput(name, { Value: { Ref: Match.stringLikeRegexp(name.replace('Name', '')) } });
  });

  it('pauses both functions when the tenant file says paused: the schedule disabled, the event source stopped', () => {
    paused.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'DISABLED' });
    paused.hasResourceProperties('AWS::Lambda::EventSourceMapping', { Enabled: false });
    example.hasResourceProperties('AWS::Lambda::EventSourceMapping', { Enabled: true });
    northwind.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'ENABLED' });
  });

  it('attaches no managed policy to any role', () => {
    for (const template of [example, northwind]) {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role['Properties']['ManagedPolicyArns']).toBeUndefined();
      }
    }
  });

  it("alarms the tenant's own mailbox at its own lag threshold, and leaves the dashboard to the operator stack", () => {
    for (const [template, email, lag, tenant] of [[example, 'secops-alerts@example.com', 900, 'example'], [northwind, 'soc@northwind.example.org', 1800, 'northwind']] as const) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('SharedKey1EE60F1EArn') } });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: lag,
        Metrics: [Match.objectLike({ Expression: `SELECT MAX(LagSeconds) FROM MpasLogSync WHERE tenant = '${tenant}'` })],
      });
      // northwind archives (two more alarms, on the archive's failures and dropped records),
      // verifies each day (missing events, verifier errors) and alarms on its cursors' age.
      template.resourceCountIs('AWS::CloudWatch::Alarm', tenant === 'northwind' ? 10 : 5);
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    }
    for (const metric of ['ArchiveFailures', 'ArchiveRecordsDropped']) {
      northwind.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [Match.objectLike({ Expression: `SELECT SUM(${metric}) FROM MpasLogSync WHERE tenant = 'northwind'` })],
      });
    }
  });

  it('fails the synth when the forwarder may run longer than a sixth of the visibility timeout the tenant file sets', () => {
    const tenant = shippedTenant('example');
    const slow = { ...tenant, deployment: { ...tenant.deployment, forwarder: { ...tenant.deployment.forwarder, timeoutSeconds: 300 }, queue: { visibilityTimeoutSeconds: 900 } } };
    const app = new App({ context: cdkContext() });
    expect(() => addTenantStacks(app, [slow])).toThrow(DeploymentRuleError);
    expect(() => addTenantStacks(new App({ context: cdkContext() }), [slow])).toThrow(
      'tenant example: the deployment settings break a rule (1 problem):\n' +
        'deployment.queue.visibilityTimeoutSeconds: must be at least 6 x deployment.forwarder.timeoutSeconds (300 s), that is 1800 s, ' +
        "but is 900 s: lower the forwarder's timeout or raise the visibility timeout",
    );
  });
});

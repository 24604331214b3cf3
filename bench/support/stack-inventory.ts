/**
 * What a tenant's stacks create that is billed by the month whatever the traffic, counted from
 * the synthesized CloudFormation templates (never typed in by hand): a new alarm, key, secret,
 * table or dashboard in infra/ changes the cost model's figures by itself.
 */

/** One resource of a template, as much of it as is read here. */
interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** A synthesized template: its resources by logical id. */
export interface StackTemplate {
  Resources?: Record<string, TemplateResource>;
}

/** An alarm and the metrics it is billed for. */
export interface AlarmItem {
  /** The alarm's description, naming what it watches. */
  description: string;
  /** `standard` (a period of a minute or more), `high-resolution` (under a minute) or `insights` (a Metrics Insights query). */
  kind: 'standard' | 'high-resolution' | 'insights';
  /** Metrics of its math expression, or the metric a Metrics Insights query reads (billed per series it analyses). */
  metrics: number;
  /** The metric a Metrics Insights query reads; undefined otherwise. */
  queriedMetric?: string;
}

/** The billable inventory of one or more templates. */
export interface Inventory {
  dashboards: number;
  alarms: AlarmItem[];
  /** Customer-managed KMS keys. */
  kmsKeys: number;
  /** Secrets the stacks create. */
  secretsCreated: number;
  /** Distinct secrets the functions may read (GetSecretValue), created or imported. */
  secretsRead: number;
  /** DynamoDB tables, and those with point-in-time recovery. */
  tables: number;
  tablesWithPointInTimeRecovery: number;
  /** Log groups and their retention in days. */
  logGroupRetentionDays: number[];
  /** Metric filters: each writes a custom metric only when a line matches. */
  metricFilters: number;
  functions: number;
  schedules: number;
  queues: number;
  buckets: number;
  topics: number;
}

const resourcesOf = (template: StackTemplate): TemplateResource[] => Object.values(template.Resources ?? {});

/** The alarm's kind and billed metrics, from its properties. */
function alarmItem(properties: Record<string, unknown>): AlarmItem {
  const description = typeof properties['AlarmDescription'] === 'string' ? properties['AlarmDescription'] : '(no description)';
  const period = (value: unknown): number => (typeof value === 'number' ? value : 60);
  const queries = Array.isArray(properties['Metrics']) ? (properties['Metrics'] as Array<Record<string, unknown>>) : undefined;
  if (queries === undefined) {
    return { description, kind: period(properties['Period']) < 60 ? 'high-resolution' : 'standard', metrics: 1 };
  }
  const insights = queries.find((query) => typeof query['Expression'] === 'string' && /^\s*SELECT\b/i.test(query['Expression']));
  if (insights) {
    const metric = /SELECT\s+\w+\((\w+)\)/i.exec(insights['Expression'] as string)?.[1] ?? '(unknown)';
    return { description, kind: 'insights', metrics: 1, queriedMetric: metric };
  }
  const stats = queries.filter((query) => query['MetricStat'] !== undefined);
  const highResolution = stats.some((query) => period((query['MetricStat'] as Record<string, unknown>)['Period']) < 60);
  return { description, kind: highResolution ? 'high-resolution' : 'standard', metrics: Math.max(1, stats.length) };
}

/** Every IAM statement of the templates' policies. */
function statementsOf(resources: TemplateResource[]): Array<Record<string, unknown>> {
  return resources
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .flatMap((resource) => ((resource.Properties?.['PolicyDocument'] as { Statement?: Array<Record<string, unknown>> } | undefined)?.Statement ?? []));
}

/** Counts what `templates` create that is billed by the month. */
export function inventoryOf(templates: readonly StackTemplate[]): Inventory {
  const resources = templates.flatMap(resourcesOf);
  const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
  const tables = ofType('AWS::DynamoDB::Table');
  const secretsRead = new Set(
    statementsOf(resources)
      .filter((statement) => [statement['Action']].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((statement) => [statement['Resource']].flat().map((resource) => JSON.stringify(resource))),
  );
  return {
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    alarms: ofType('AWS::CloudWatch::Alarm').map((alarm) => alarmItem(alarm.Properties ?? {})),
    kmsKeys: ofType('AWS::KMS::Key').length,
    secretsCreated: ofType('AWS::SecretsManager::Secret').length,
    secretsRead: secretsRead.size,
    tables: tables.length,
    tablesWithPointInTimeRecovery: tables.filter((table) => (table.Properties?.['PointInTimeRecoverySpecification'] as { PointInTimeRecoveryEnabled?: boolean } | undefined)?.PointInTimeRecoveryEnabled === true).length,
    logGroupRetentionDays: ofType('AWS::Logs::LogGroup').map((group) => Number(group.Properties?.['RetentionInDays'] ?? 0)),
    metricFilters: ofType('AWS::Logs::MetricFilter').length,
    functions: ofType('AWS::Lambda::Function').length,
    schedules: ofType('AWS::Scheduler::Schedule').length,
    queues: ofType('AWS::SQS::Queue').length,
    buckets: ofType('AWS::S3::Bucket').length,
    topics: ofType('AWS::SNS::Topic').length,
  };
}

/** A tenant's own stacks and what its account and region share (the operator stack), counted apart. */
export interface TenantInventory {
  /** The tenant's data and service stacks. */
  tenant: Inventory;
  /** The operator stack of its account and region, paid once for all its tenants. */
  shared: Inventory;
}

/** Splits a synthesized app's templates by stack name into `tenant`'s own and the shared ones. */
export function tenantInventory(stacks: ReadonlyArray<{ stackName: string; template: unknown }>, tenant: string): TenantInventory {
  const own = stacks.filter((stack) => stack.stackName === `mpas-log-sync-${tenant}-data` || stack.stackName === `mpas-log-sync-${tenant}-service`);
  const shared = stacks.filter((stack) => stack.stackName.startsWith('mpas-log-sync-operator-'));
  if (own.length !== 2) throw new Error(`expected the data and service stacks of ${tenant}, found ${own.map((stack) => stack.stackName).join(', ') || 'none'}`);
  return { tenant: inventoryOf(own.map((stack) => stack.template as StackTemplate)), shared: inventoryOf(shared.map((stack) => stack.template as StackTemplate)) };
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDeployment } from '../../../infra/config/load-tenants.js';
import { BUNDLING } from '../../../infra/constructs/secure-defaults.js';
import { shippedTenant, synthesizeTenants } from '../../support/infra-synth.js';
import type { SynthesizedApp } from '../../support/infra-synth.js';

// Two syntheses with bundling, on a small, shared machine.
const SYNTH_TIMEOUT_MS = 170_000;

const DATA_STACK = 'mpas-log-sync-northwind-data';
const SERVICE_STACK = 'mpas-log-sync-northwind-service';
/** What holds the tenant's data: each must survive every deploy. */
const DATA_TYPES = ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::S3::Bucket'];
/** Everything the service stack may hold: code, wiring, logs and alarms, nothing a deploy could lose data with. */
const STATELESS_TYPES = [
  'AWS::CloudWatch::Alarm',
  'AWS::IAM::Policy',
  'AWS::IAM::Role',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
  'AWS::Logs::MetricFilter',
  'AWS::SNS::Subscription',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::Scheduler::Schedule',
];

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Template = { Resources: Record<string, Resource> };

/** northwind.json (it archives), with secrets the stack creates and a key of its own, so every kind of data resource is there. */
function releaseOne(): TenantDeployment {
  const tenant = shippedTenant('northwind');
  return { ...tenant, deployment: { ...tenant.deployment, secretNames: {}, encryptionKey: 'tenant' } };
}

/** The next release's settings: a service setting (an environment variable) and function sizes changed. */
function releaseTwo(tenant: TenantDeployment): TenantDeployment {
  const { config } = tenant.service;
  return {
    ...tenant,
    service: { ...tenant.service, config: { ...config, mpas: { ...config.mpas, pageSize: config.mpas.pageSize + 100 } } },
    deployment: { ...tenant.deployment, scheduleMinutes: 2, forwarder: { ...tenant.deployment.forwarder, memoryMb: 1024 } },
  };
}

/** Synthesizes with other bundling options: the next release's code, without touching the sources. */
function withChangedBundle<T>(build: () => T): T {
  const footer = BUNDLING.footer;
  BUNDLING.footer = { js: '/* mpas-log-sync: the next release */' };
  try {
    return build();
  } finally {
    if (footer === undefined) delete BUNDLING.footer;
    else BUNDLING.footer = footer;
  }
}

function functionsOf(template: Template): Map<string, Record<string, unknown>> {
  return new Map(Object.entries(template.Resources).flatMap(([id, resource]) => (resource.Type === 'AWS::Lambda::Function' ? [[id, resource.Properties ?? {}]] : [])));
}

describe('addTenantStacks, deployed again with new code and settings', () => {
  let first: SynthesizedApp;
  let second: SynthesizedApp;
  const templateOf = (app: SynthesizedApp, stack: string) => app.assembly.getStackByName(stack).template as Template;
  beforeAll(() => {
    first = synthesizeTenants([releaseOne()]);
    second = withChangedBundle(() => synthesizeTenants([releaseTwo(releaseOne())]));
  }, SYNTH_TIMEOUT_MS);
  afterAll(() => {
    first?.dispose();
    second?.dispose();
  });

  it('writes a byte-identical data stack template, so CloudFormation has nothing to change in it', () => {
    const file = (app: SynthesizedApp) => readFileSync(join(app.outdir, `${DATA_STACK}.template.json`));
    expect(file(second).equals(file(first))).toBe(true);
    // It is the whole data stack: every kind of data resource is in it.
    const types = new Set(Object.values(templateOf(first, DATA_STACK).Resources).map((resource) => resource.Type));
    for (const type of DATA_TYPES) expect(types, type).toContain(type);
  });

  it('retains every table, queue, key, secret and bucket on deletion and on replacement', () => {
    const data = Object.entries(templateOf(first, DATA_STACK).Resources).filter(([, resource]) => DATA_TYPES.includes(resource.Type));
    expect(data.length).toBeGreaterThanOrEqual(DATA_TYPES.length);
    for (const [id, resource] of data) {
      expect({ id, DeletionPolicy: resource.DeletionPolicy, UpdateReplacePolicy: resource.UpdateReplacePolicy }).toEqual({ id, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('keeps the data stack independent of the service stack: nothing in it refers to the code', () => {
    const text = JSON.stringify(templateOf(first, DATA_STACK));
    expect(text).not.toContain('Fn::ImportValue');
    expect(text).not.toContain('aws:asset');
  });

  it('changes every function in place (poller, forwarder, the daily verifier): the same logical ids, new code, the new settings', () => {
    const before = functionsOf(templateOf(first, SERVICE_STACK));
    const after = functionsOf(templateOf(second, SERVICE_STACK));
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(before.size).toBe(3);
    for (const [id, properties] of before) {
      const next = after.get(id)!;
      expect((next['Code'] as { S3Key: string }).S3Key, id).not.toBe((properties['Code'] as { S3Key: string }).S3Key);
      const variables = (props: Record<string, unknown>) => (props['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables(properties)['MPAS_PAGE_SIZE'], id).toBe('500');
      expect(variables(next)['MPAS_PAGE_SIZE'], id).toBe('600');
    }
    const forwarderId = [...before.keys()].find((id) => id.startsWith('ForwarderFunction'))!;
    expect([before.get(forwarderId)!['MemorySize'], after.get(forwarderId)!['MemorySize']]).toEqual([512, 1024]);
  });

  it('holds nothing in the service stack that a deploy could lose data with', () => {
    for (const app of [first, second]) {
      const types = new Set(Object.values(templateOf(app, SERVICE_STACK).Resources).map((resource) => resource.Type));
      expect([...types].filter((type) => !STATELESS_TYPES.includes(type))).toEqual([]);
      for (const type of DATA_TYPES) expect(types).not.toContain(type);
      expect([...types].filter((type) => type.startsWith('AWS::Glue::'))).toEqual([]);
    }
  });
});

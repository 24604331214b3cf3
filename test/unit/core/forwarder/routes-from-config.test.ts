import { describe, expect, it } from 'vitest';
import { appConfigSchema } from '../../../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../../../lib/config/app-config-schema.js';
import { RouteConfigError, routesFromConfig } from '../../../../lib/runtime/routes-from-config.js';
import { FilterError } from '../../../../lib/core/pipeline/filter-error.js';

const mpas = { baseUrl: 'https://mpas.example.com', realms: ['acme'], credentials: { username: 'sync', password: 'pw' } };
const qradar = { name: 'qradar', siem: { url: 'https://qradar.example.com/ingest', format: 'cef' } };
const webhook = { name: 'webhook', siem: { url: 'https://hooks.example.com/mpas' }, filter: { 'event.type': { equals: 'LOGIN_ERROR' } }, fields: ['details.username'] };

function parse(input: unknown): AppConfig {
  return appConfigSchema.parse(input) as AppConfig;
}

function issuesOf(input: unknown): string[] {
  const result = appConfigSchema.safeParse(input);
  if (result.success) throw new Error('expected a refusal');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('routesFromConfig', () => {
  it('makes the single-SIEM settings the one route "default"', () => {
    const config = parse({ mpas, siem: { url: 'https://siem.example.com/in' }, filter: { 'event.type': { equals: 'LOGIN' } } });
    const routes = routesFromConfig(config, { version: '1' });
    expect(routes.map(({ name }) => name)).toEqual(['default']);
    expect(routes[0]!.stages.formatter.format).toBe('json');
    expect(routes[0]!.stages.filter?.({ eventType: 'user-event', event: { type: 'LOGIN' } })).toBe(true);
    expect(routes[0]!.stages.filter?.({ eventType: 'user-event', event: { type: 'LOGOUT' } })).toBe(false);
  });

  it('uses the routes alone when there is no siem section, the first route standing in for siem', () => {
    const config = parse({ mpas, routes: [qradar, webhook] });
    expect(config.defaultRoute).toBe(false);
    expect(config.siem.url).toBe('https://qradar.example.com/ingest');
    const routes = routesFromConfig(config, { version: '1' });
    expect(routes.map(({ name }) => name)).toEqual(['qradar', 'webhook']);
    expect(routes.map(({ stages }) => stages.formatter.format)).toEqual(['cef', 'json']);
    expect(routes[1]!.stages.selectFields?.({ time: 1, type: 'LOGIN', details: { username: 'a', other: 'b' } })).toEqual({ time: 1, type: 'LOGIN', details: { username: 'a' } });
  });

  it('adds the siem section as the route "default" when both are set', () => {
    const routes = routesFromConfig(parse({ mpas, siem: { url: 'https://siem.example.com/in' }, routes: [webhook] }), { version: '1' });
    expect(routes.map(({ name }) => name)).toEqual(['default', 'webhook']);
  });

  it('refuses a route named "default" beside the siem section', () => {
    const config = parse({ mpas, siem: { url: 'https://siem.example.com/in' }, routes: [{ ...webhook, name: 'default' }] });
    expect(() => routesFromConfig(config, { version: '1' })).toThrow(RouteConfigError);
  });

  it('names the route of a bad filter', () => {
    const config = parse({ mpas, routes: [qradar, { ...webhook, filter: { 'event.type': { startswith: 'LOGIN' } } }] });
    expect(() => routesFromConfig(config, { version: '1' })).toThrow(FilterError);
    expect(() => routesFromConfig(config, { version: '1' })).toThrow(/^routes\.webhook\.filter\["event\.type"\]: unknown comparator/);
  });

  it('refuses duplicate route names and a bad route, naming the setting', () => {
    expect(issuesOf({ mpas, routes: [qradar, { ...webhook, name: 'qradar' }] })).toContain('routes.1.name: "qradar" names two routes');
    expect(issuesOf({ mpas, routes: [qradar, { ...webhook, name: 'Web Hook' }] })).toContain('routes.1.name: must be 1 to 40 lowercase letters, digits or dashes');
    expect(issuesOf({ mpas, routes: [qradar, { ...webhook, siem: { url: 'nope' } }] }).some((issue) => issue.startsWith('routes.1.siem.url: '))).toBe(true);
    expect(issuesOf({ mpas, routes: [] })).toContain('routes: must name at least one route');
  });

  it('reads the archive settings, off unless enabled', () => {
    expect(parse({ mpas, siem: { url: 'https://siem.example.com/in' } }).archive).toBeUndefined();
    expect(parse({ mpas, siem: { url: 'https://siem.example.com/in' }, archive: { enabled: true } }).archive).toEqual({
      enabled: true,
      retentionDays: 90,
      bufferEvents: 50_000,
      file: 'audit-events.sqlite',
    });
    expect(issuesOf({ mpas, siem: { url: 'https://siem.example.com/in' }, archive: { enabled: true, s3: { bucket: 'Bad_Bucket' } } })[0]).toMatch(/^archive\.s3\.bucket: must be an S3 bucket name/);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { NPM_INSTALL_FLAGS } from '../../integration/package/npm-install-flags.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

/** One Dockerfile instruction, continuation lines joined. */
interface Instruction {
  keyword: string;
  args: string;
}

function dockerfileStages(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, ' ');
  const instructions = joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

function argsOf(stage: readonly Instruction[], keyword: string): string[] {
  return stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

/** `KEY=value` pairs of ENV instructions. */
function envOf(stage: readonly Instruction[]): Record<string, string> {
  return Object.fromEntries(argsOf(stage, 'ENV').flatMap((args) => [...args.matchAll(/(\w+)=(\S+)/g)].map((match) => [match[1], match[2]])));
}

/** The value after `flag` in an argument list. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

/** The settings that must hold across the container, systemd and Kubernetes recipes. */
const STATE_DIR = '/var/lib/mpas-log-sync';
const HEALTH_PORT = '8080';

describe('deploy/container/Dockerfile', () => {
  const stages = dockerfileStages(read('deploy/container/Dockerfile'));
  const build = stages[0] ?? [];
  const final = stages.at(-1) ?? [];
  const finalEnv = envOf(final);

  it('builds in one stage with npm ci and npm pack, and runs on Node 24 in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(read('deploy/container/Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:24[-.\w]*$/m);
    for (const stage of [build, final]) expect(argsOf(stage, 'FROM')[0]).toMatch(/^\$\{NODE_IMAGE\}/);
    const buildRuns = argsOf(build, 'RUN').join('\n');
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(buildRuns).toMatch(/\bnpm pack --pack-destination \/pack\b/);
  });

  it('copies every source the build reads and every part of the package besides dist/', () => {
    const copied = argsOf(build, 'COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
    const packageJson = JSON.parse(read('package.json')) as { files: string[] };
    const wanted = [...packageJson.files.filter((file) => !file.startsWith('dist')), 'lib/', 'devtools/', 'package.json', 'package-lock.json'];
    for (const path of wanted) expect(copied.some((source) => path === source || path.startsWith(source)), path).toBe(true);
  });

  it('installs the tarball as the package test does', () => {
    const install = argsOf(final, 'RUN').find((args) => args.includes('npm install'));
    expect(install).toContain(`npm install ${NPM_INSTALL_FLAGS.join(' ')} /pack/mpas-log-sync-*.tgz`);
  });

  it('runs as a non-root user, with the state directory as its volume', () => {
    const user = argsOf(final, 'USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    expect(finalEnv['STATE_DIR']).toBe(STATE_DIR);
    expect(argsOf(final, 'VOLUME')).toEqual([`["${STATE_DIR}"]`]);
    expect(argsOf(final, 'RUN').join('\n')).toContain(`install -d -o ${user.split(':')[0]} -g ${user.split(':')[1] ?? user} -m 0700 ${STATE_DIR}`);
  });

  it('serves /health on the exposed port and checks it there with node', () => {
    const cmd = JSON.parse(argsOf(final, 'CMD').at(-1) ?? '[]') as string[];
    const entrypoint = JSON.parse(argsOf(final, 'ENTRYPOINT').at(-1) ?? '[]') as string[];
    expect(entrypoint).toEqual(['mpas-log-sync']);
    expect(cmd[0]).toBe('run');
    expect(flagValue(cmd, '--health-port')).toBe(HEALTH_PORT);
    expect(flagValue(cmd, '--health-host')).toBe('0.0.0.0');
    expect(argsOf(final, 'EXPOSE')).toEqual([HEALTH_PORT]);
    const healthcheck = argsOf(final, 'HEALTHCHECK').at(-1) ?? '';
    expect(healthcheck).toMatch(/CMD \["node", "-e", /);
    expect(healthcheck).toContain(`http://127.0.0.1:${HEALTH_PORT}/health`);
  });
});

describe('deploy/systemd/mpas-log-sync.service', () => {
  const settings = new Map<string, string[]>();
  for (const line of read('deploy/systemd/mpas-log-sync.service').split('\n')) {
    const match = /^(\w+)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) settings.set(match[1], [...(settings.get(match[1]) ?? []), match[2]]);
  }
  const one = (key: string): string | undefined => settings.get(key)?.at(-1);

  it('runs the installed command without root and keeps its state in its StateDirectory', () => {
    const exec = (one('ExecStart') ?? '').split(/\s+/);
    expect(exec.slice(0, 2)).toEqual(['/opt/mpas-log-sync/node_modules/.bin/mpas-log-sync', 'run']);
    expect(flagValue(exec, '--health-port')).toBe(HEALTH_PORT);
    expect(one('DynamicUser') === 'yes' || (one('User') !== undefined && one('User') !== 'root')).toBe(true);
    expect(`/var/lib/${one('StateDirectory')}`).toBe(STATE_DIR);
    expect(settings.get('Environment')).toContain(`STATE_DIR=${STATE_DIR}`);
    expect(one('StateDirectoryMode')).toBe('0700');
  });

  it('is hardened, reads settings and secrets from an environment file and restarts on failure', () => {
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('EnvironmentFile')).toMatch(/^\/etc\/mpas-log-sync\//);
    expect(one('Restart')).toBe('on-failure');
    expect(one('CapabilityBoundingSet')).toBe('');
  });
});

describe('deploy/kubernetes', () => {
  const dir = 'deploy/kubernetes';
  const manifests = readdirSync(join(REPO_ROOT, dir))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(read(join(dir, file))).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
        return { file, value: document.toJS() as { kind: string; metadata?: { name?: string } } & Record<string, unknown> };
      }),
    );
  const ofKind = <T>(kind: string): T[] => manifests.filter((manifest) => manifest.value.kind === kind).map((manifest) => manifest.value as T);

  interface Probe {
    httpGet?: { path?: string; port?: string | number };
  }
  interface Container {
    args?: string[];
    env?: Array<{ name: string; value?: string }>;
    envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
    ports?: Array<{ name?: string; containerPort: number }>;
    readinessProbe?: Probe;
    livenessProbe?: Probe;
    securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
    volumeMounts?: Array<{ name: string; mountPath: string }>;
  }
  interface Deployment {
    spec: {
      replicas: number;
      strategy?: { type?: string };
      template: {
        spec: {
          securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number };
          containers: Container[];
          volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
        };
      };
    };
  }

  const [deployment, ...otherDeployments] = ofKind<Deployment>('Deployment');
  const pod = deployment?.spec.template.spec;
  const [container, ...otherContainers] = pod?.containers ?? [];

  it('runs one replica, never two at once', () => {
    expect(otherDeployments).toEqual([]);
    expect(deployment?.spec.replicas).toBe(1);
    expect(deployment?.spec.strategy?.type).toBe('Recreate');
    expect(otherContainers).toEqual([]);
  });

  it('probes /health on the port the run serves it on', () => {
    const port = flagValue(container?.args ?? [], '--health-port');
    expect(port).toBe(HEALTH_PORT);
    expect(flagValue(container?.args ?? [], '--health-host')).toBe('0.0.0.0');
    for (const probe of [container?.readinessProbe, container?.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/health');
      const probed = probe?.httpGet?.port;
      const containerPort = typeof probed === 'number' ? probed : container?.ports?.find((entry) => entry.name === probed)?.containerPort;
      expect(String(containerPort)).toBe(port);
    }
  });

  it('runs as non-root on a read-only root file system, the state directory on the persistent volume', () => {
    expect(pod?.securityContext?.runAsNonRoot).toBe(true);
    expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(pod?.securityContext?.fsGroup).toBe(pod?.securityContext?.runAsUser);
    expect(container?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(container?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(container?.env?.find((entry) => entry.name === 'STATE_DIR')?.value).toBe(STATE_DIR);
    const mount = container?.volumeMounts?.find((entry) => entry.mountPath === STATE_DIR);
    const claim = pod?.volumes?.find((volume) => volume.name === mount?.name)?.persistentVolumeClaim?.claimName;
    expect(ofKind<{ metadata: { name: string } }>('PersistentVolumeClaim').map((pvc) => pvc.metadata.name)).toContain(claim);
  });

  it('takes its settings from the ConfigMap and its secrets from the Secret, both defined here', () => {
    const configMaps = ofKind<{ metadata: { name: string }; data: Record<string, string> }>('ConfigMap');
    const secrets = ofKind<{ metadata: { name: string }; stringData: Record<string, string> }>('Secret');
    const fromConfigMap = container?.envFrom?.find((source) => source.configMapRef)?.configMapRef?.name;
    const fromSecret = container?.envFrom?.find((source) => source.secretRef)?.secretRef?.name;
    expect(configMaps.map((map) => map.metadata.name)).toContain(fromConfigMap);
    expect(secrets.map((secret) => secret.metadata.name)).toContain(fromSecret);
    const secretNames = Object.keys(secrets[0]?.stringData ?? {});
    expect(secretNames).toContain('MPAS_PASSWORD');
    for (const map of configMaps) expect(Object.keys(map.data).filter((name) => secretNames.includes(name) || /PASSWORD|TOKEN|SECRET/.test(name))).toEqual([]);
  });

  it('applies every manifest but the Secret with kustomize, so applying again never overwrites a secret', () => {
    const kustomization = manifests.find((manifest) => manifest.file === 'kustomization.yaml')?.value as { resources: string[] } | undefined;
    const others = [...new Set(manifests.map((manifest) => manifest.file))].filter((file) => file !== 'kustomization.yaml' && file !== 'secret.yaml');
    expect([...(kustomization?.resources ?? [])].sort()).toEqual(others.sort());
  });
});

import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };
import { loadConfig } from '../../src/config.ts';
import { parseDuration } from '../../src/duration.ts';
import { SETTINGS } from '../../src/settings.ts';

const DIR = `${import.meta.dir}/../../deploy/k8s`;

// Just enough shape to read the fields checked here; YAML comes in as unknown.
interface Probe { httpGet: { path: string; port: string | number } }
interface Container {
  image: string;
  ports: { name: string; containerPort: number }[];
  envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  lifecycle: { preStop: { sleep: { seconds: number } } };
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  securityContext: { allowPrivilegeEscalation: boolean; readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
}
interface Deployment {
  kind: string;
  metadata: { name: string };
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: { terminationGracePeriodSeconds: number; securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[] };
    };
  };
}
interface Named { kind: string; metadata: { name: string } }
interface Service extends Named { spec: { selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }
interface Hpa extends Named { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: { resource: { name: string } }[] } }
interface Pdb extends Named { spec: { selector: { matchLabels: Record<string, string> } } }
interface MapData extends Named { data?: Record<string, string>; stringData?: Record<string, string> }

const load = <T>(file: string): T => Bun.YAML.parse(readFileSync(`${DIR}/${file}`, 'utf8')) as T;
const deployment = load<Deployment>('deployment.yaml');
const container = deployment.spec.template.spec.containers[0]!;
const configMap = load<MapData>('configmap.yaml');
const secret = load<MapData>('secret.example.yaml');
const service = load<Service>('service.yaml');
const hpa = load<Hpa>('hpa.yaml');
const pdb = load<Pdb>('pdb.yaml');
const defaultOf = (env: string) => SETTINGS.find((s) => s.env === env)?.default;
const portNamed = (name: string | number) => (typeof name === 'number' ? name : container.ports.find((p) => p.name === name)?.containerPort);

describe('deploy/k8s manifests', () => {
  test('every file parses and kustomization.yaml lists the ones that exist (the Secret is made by hand)', () => {
    const kustomization = load<{ resources: string[] }>('kustomization.yaml');
    for (const file of kustomization.resources) expect(existsSync(`${DIR}/${file}`)).toBe(true);
    expect(kustomization.resources).not.toContain('secret.example.yaml');
    expect([deployment, configMap, secret, service, hpa, pdb].map((m) => m.kind)).toEqual([
      'Deployment', 'ConfigMap', 'Secret', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget',
    ]);
  });

  test('probes ask GET /health on the API port, which matches the gateway\'s defaults', () => {
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet.path).toBe('/health');
      expect(portNamed(probe.httpGet.port)).toBe(Number(defaultOf('SERVER_PORT')));
    }
    expect(portNamed('metrics')).toBe(Number(defaultOf('TELEMETRY_METRICS_PORT')));
    expect(configMap.data?.SERVER_PORT).toBe(defaultOf('SERVER_PORT'));
    expect(configMap.data?.TELEMETRY_METRICS_PORT).toBe(defaultOf('TELEMETRY_METRICS_PORT'));
  });

  test('runs as the image\'s non-root user with a read-only root and no capabilities', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(65532);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources.requests.cpu).toBeTruthy();
    expect(container.resources.limits.memory).toBe('512Mi');
    expect(container.image).toBe(`inference-gateway:${pkg.version}`);
  });

  test('the grace period covers the preStop pause plus the gateway\'s own drain', () => {
    const drainMs = parseDuration(configMap.data?.SERVER_SHUTDOWN_TIMEOUT ?? '')!;
    const pauseMs = container.lifecycle.preStop.sleep.seconds * 1000;
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(pauseMs + drainMs);
  });

  test('settings come from the ConfigMap and the keys Secret, and are ones the gateway knows', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
    const secretRows = new Set(SETTINGS.filter((s) => s.secret).map((s) => s.env));
    expect(Object.keys(secret.stringData ?? {}).filter((k) => !secretRows.has(k))).toEqual([]);
    const known = new Set(SETTINGS.map((s) => s.env));
    expect(Object.keys(configMap.data ?? {}).filter((k) => !known.has(k))).toEqual([]);
    const config = loadConfig({ ...configMap.data, ...secret.stringData });
    expect(config.telemetry.enable).toBe(true);
  });

  test('Service, HPA and PDB point at the Deployment\'s pods', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    for (const p of service.spec.ports) expect(portNamed(p.targetPort)).toBe(p.port);
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // CPU utilization is measured against the request, so the container must have one.
    expect(hpa.spec.metrics.map((m) => m.resource.name)).toEqual(['cpu']);
  });
});

/**
 * docker-compose.yml, the Prometheus configuration and the Grafana dashboard are checked
 * against the code here, since no Docker engine runs in the tests: ports, variable names,
 * queues, scrape targets, metric names, search attributes and QStash's development keys.
 * Each check reads the file as written, so an edit that drifts from the code fails here.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { qstashHeaders } from '../cli/qstash-signer.ts';
import { createGatewayApp } from '../gateway/app.ts';
import type { GatewayConfig } from '../gateway/config.ts';
import type { TaskBackend } from '../gateway/temporal-tasks.ts';
import { searchAttributeFlags } from '../protocol/search-attributes.ts';
import {
  parseVariables,
  QSTASH_DEV_SIGNING_KEYS,
  resolveSigningKeys,
  variablesSchema,
} from '../protocol/variables.ts';
import { TASK_QUEUES } from '../protocol/workflow-api.ts';

type Service = {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  [extension: `x-${string}`]: Record<string, string>;
};

const root = new URL('../', import.meta.url);
const read = (path: string) => readFile(new URL(path, root), 'utf8');

const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const prometheus = parse(await read('deploy/prometheus/prometheus.yml')) as {
  scrape_configs: Array<{
    job_name: string;
    dns_sd_configs: Array<{ names: string[]; port: number }>;
  }>;
};
const dashboard = JSON.parse(await read('deploy/grafana/dashboards/ackflow.json'));
const dockerfile = await read('Dockerfile');

/** A compose value as `docker compose` sees it with none of its variables set. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, _name, fallback = '') => fallback);
}

function environment(service: Service): Record<string, string> {
  const entries = Object.entries(service.environment ?? {});
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(String(value))]));
}

/** The services that run `ackflow <command>`: the image's entrypoint is `node bin/ackflow.js`. */
const ackflowServices = Object.entries(services).filter(
  ([, service]) => (service as { image?: string }).image === 'ackflow:local',
);
const workers = ackflowServices.filter(([, service]) => service.command?.[0] === 'worker');

function option(command: string[] | undefined, name: string): string | undefined {
  const index = command?.indexOf(name) ?? -1;
  return index >= 0 ? command?.[index + 1] : undefined;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * Every metric and sample name in a Prometheus text exposition. A labelled counter that has
 * counted nothing yet appears only in its `# TYPE` line.
 */
function metricNames(text: string): Set<string> {
  const names = text.split('\n').map((line) => {
    if (line.startsWith('# TYPE ')) return line.split(' ')[2];
    return line.startsWith('#') ? undefined : line.split(/[{ ]/)[0];
  });
  return new Set(names.filter((name): name is string => Boolean(name)));
}

function dashboardExpressions(): string[] {
  const panels = dashboard.panels as Array<{ targets?: Array<{ expr: string }> }>;
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

const GATEWAY_PORT = variablesSchema.parse({}).PORT;

describe('docker-compose.yml', () => {
  it('runs the gateway on the default PORT, everywhere the port appears', () => {
    const gateway = services.gateway!;
    const env = environment(gateway);

    expect(GATEWAY_PORT).toBe(8787);
    expect(Number(env.PORT)).toBe(GATEWAY_PORT);
    expect(gateway.ports).toContain(`${GATEWAY_PORT}:${GATEWAY_PORT}`);
    expect(portOf(gateway.healthcheck!.test.at(-1)!)).toBe(GATEWAY_PORT);
    // QStash calls the gateway by its service name inside the network, and signs that URL.
    const publicUrl = new URL(env.GATEWAY_PUBLIC_URL!);
    expect(publicUrl.hostname).toBe('gateway');
    expect(Number(publicUrl.port)).toBe(GATEWAY_PORT);
  });

  it("gives ackflow's services only variables that protocol/variables.ts defines", () => {
    const known = Object.keys(variablesSchema.shape);
    expect(ackflowServices.map(([name]) => name).sort()).toEqual(
      ['gateway', 'mock-llm', 'worker-heavy', 'worker-light'].sort(),
    );
    for (const [name, service] of ackflowServices) {
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(known, `${name} sets ${variable}`).toContain(variable);
      }
      // Every value must also pass the same parsing the process does at start.
      expect(() => parseVariables(environment(service)), name).not.toThrow();
    }
  });

  it('serves every task queue, each worker a known one, from the image’s prebuilt bundle', () => {
    const served = workers.flatMap(([, service]) =>
      option(service.command, '--queues')!.split(','),
    );
    expect(served.sort()).toEqual(Object.keys(TASK_QUEUES).sort());

    const out = /ackflow\.js bundle --out (\S+)/.exec(dockerfile)?.[1];
    const workdir = /^WORKDIR (\S+)$/m.exec(dockerfile)?.[1];
    expect(out && workdir).toBeTruthy();
    for (const [name, service] of workers) {
      expect(option(service.command, '--bundle'), name).toBe(`${workdir}/${out}`);
    }
  });

  it("sets each worker's concurrency for its own queue, defaulting as the code does", () => {
    const defaults = variablesSchema.parse({});
    for (const [name, service] of workers) {
      const tier = option(service.command, '--queues')!;
      const variable = `WORKER_${tier.toUpperCase()}_CONCURRENCY` as keyof typeof defaults;
      expect(environment(service)[variable], name).toBe(String(defaults[variable]));
    }
  });

  it('gives the gateway and every worker one shared blob folder, on one volume', () => {
    const users = ackflowServices.filter(([name]) => name !== 'mock-llm');
    const dirs = new Set(users.map(([, service]) => environment(service).BLOB_DIR));
    expect(dirs.size).toBe(1);
    const [dir] = [...dirs];
    for (const [name, service] of users) {
      const mounts = (service.volumes ?? []).filter((volume) => volume.endsWith(`:${dir}`));
      expect(mounts, name).toEqual([`blobs:${dir}`]);
    }
    // The image creates the folder for its unprivileged user, so the volume is writable.
    expect(dockerfile).toContain(`BLOB_DIR=${dir}`);
    expect(dockerfile).toMatch(new RegExp(`chown -R node:node ${dirname(dir!)}`));
  });

  it('points workers and gateway at services that exist, on the ports they listen on', () => {
    const mockPort = Number(option(services['mock-llm']!.command, '--port'));
    for (const [name, service] of ackflowServices.filter(([n]) => n !== 'mock-llm')) {
      const env = environment(service);
      expect(env.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
      const llm = new URL(env.LLM_BASE_URL!);
      expect(llm.hostname, name).toBe('mock-llm');
      expect(Number(llm.port), name).toBe(mockPort);
    }
    expect(services.temporal!.ports).toContain('7233:7233');
  });

  it('registers exactly the search attributes the code sets', () => {
    const registered = environment(services['temporal-setup']!).SEARCH_ATTRIBUTES!.split(/\s+/);
    expect(registered.filter(Boolean).sort()).toEqual(searchAttributeFlags().sort());
  });

  it("uses QStash's public development keys, the ones the gateway falls back to", () => {
    const devUser = services.qstash!['x-dev-user']!;
    expect({ current: devUser['current-signing-key'], next: devUser['next-signing-key'] }).toEqual(
      QSTASH_DEV_SIGNING_KEYS,
    );

    const keys = resolveSigningKeys(parseVariables(environment(services.gateway!)));
    expect(keys).toEqual({ ...QSTASH_DEV_SIGNING_KEYS, development: true });
  });
});

describe('the Prometheus configuration', () => {
  const job = (name: string) => {
    const found = prometheus.scrape_configs.find((config) => config.job_name === name);
    return found!.dns_sd_configs[0]!;
  };

  it('is the file the prometheus service mounts', () => {
    expect(services.prometheus!.volumes).toContain(
      './deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it('scrapes the gateway on its port', () => {
    expect(job('ackflow-gateway')).toMatchObject({ names: ['gateway'], port: GATEWAY_PORT });
  });

  it('scrapes every worker service on the port of its WORKER_METRICS_ADDRESS', () => {
    const target = job('ackflow-worker');
    expect([...target.names].sort()).toEqual(workers.map(([name]) => name).sort());
    for (const [name, service] of workers) {
      const address = environment(service).WORKER_METRICS_ADDRESS!;
      expect(Number(address.split(':').at(-1)), name).toBe(target.port);
      expect(portOf(service.healthcheck!.test.at(-1)!), name).toBe(target.port);
    }
  });
});

/**
 * The Temporal SDK metric names a worker served (WORKER_METRICS_ADDRESS, SDK 1.24, durations
 * in seconds) after running one task; the dashboard may use no other `temporal_` name.
 */
const WORKER_METRIC_NAMES = [
  'temporal_activity_execution_latency',
  'temporal_activity_schedule_to_start_latency',
  'temporal_activity_succeed_endtoend_latency',
  'temporal_workflow_endtoend_latency',
  'temporal_workflow_task_execution_latency',
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_worker_task_slots_available',
  'temporal_worker_task_slots_used',
];

const fakeBackend: TaskBackend = {
  start: async (task) => ({ duplicate: false, workflowId: task.taskId, runId: 'run-1' }),
  read: async () => undefined,
  readOutput: async () => [],
  cancel: async () => 'not_found',
  ready: async () => true,
};

async function gatewayMetricNames(): Promise<Set<string>> {
  const keys = { current: 'sig_compose_current', next: 'sig_compose_next' };
  const config: GatewayConfig = {
    publicUrl: 'http://gateway:8787',
    signingKeys: { ...keys, development: false },
    apiKeys: [],
    bodyLimitBytes: 4096,
    startTimeoutMs: 5_000,
    routes: {},
    readTokenSecret: 'compose-test-read-token-secret',
  };
  const app = createGatewayApp({ config, backend: fakeBackend, logger: pino({ level: 'silent' }) });
  const body = JSON.stringify({ version: 1, type: 'llm.generate', input: { prompt: 'hi' } });
  const url = `${config.publicUrl}/v1/tasks`;
  const delivery = await app.request('/v1/tasks', {
    method: 'POST',
    body,
    headers: qstashHeaders({ key: keys.current, url, body }),
  });
  expect(delivery.status).toBe(200);
  return metricNames(await (await app.request('/metrics')).text());
}

describe('the Grafana dashboard', () => {
  it('reads only gateway metrics that a real gateway serves', async () => {
    const served = await gatewayMetricNames();
    const used = dashboardExpressions().flatMap((expr) => expr.match(/ackflow_gateway_\w+/g) ?? []);

    expect(used.length).toBeGreaterThan(0);
    for (const name of new Set(used)) expect(served, name).toContain(name);
  });

  it('reads only worker metrics that the Temporal SDK serves', () => {
    const used = dashboardExpressions().flatMap((expr) => expr.match(/temporal_\w+/g) ?? []);
    const known = WORKER_METRIC_NAMES.flatMap((name) => [name, `${name}_bucket`]);

    expect(used.length).toBeGreaterThan(0);
    for (const name of new Set(used)) expect(known, name).toContain(name);
  });

  it('draws the three curves as P50, P90 and P99', () => {
    const expressions = dashboardExpressions();
    for (const metric of [
      'temporal_activity_schedule_to_start_latency_bucket',
      'ackflow_gateway_ack_duration_seconds_bucket',
      'temporal_activity_execution_latency_bucket',
    ]) {
      const quantiles = expressions
        .filter((expr) => expr.includes(metric))
        .map((expr) => /histogram_quantile\(([\d.]+)/.exec(expr)?.[1]);
      expect(quantiles, metric).toEqual(['0.5', '0.9', '0.99']);
    }
  });

  it('uses the provisioned datasource and is mounted where the provider looks', async () => {
    const datasources = parse(await read('deploy/grafana/provisioning/datasources/prometheus.yml'));
    const providers = parse(await read('deploy/grafana/provisioning/dashboards/ackflow.yml'));
    const uid = datasources.datasources[0].uid;
    const path = providers.providers[0].options.path;

    expect(JSON.stringify(dashboard)).not.toMatch(/"uid":"(?!prometheus"|ackflow-overview")/);
    expect(uid).toBe('prometheus');
    expect(services.grafana!.volumes).toContain(`./deploy/grafana/dashboards:${path}:ro`);
  });
});

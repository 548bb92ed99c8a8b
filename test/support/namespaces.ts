/**
 * One Temporal namespace per integration test file, created when the shared dev server
 * starts, so files running side by side never pick up each other's tasks.
 */
export const TEST_NAMESPACES = {
  slice: 'ackflow-test-slice',
  ingress: 'ackflow-test-ingress',
  reads: 'ackflow-test-reads',
  faults: 'ackflow-test-faults',
  crash: 'ackflow-test-crash',
  callbacks: 'ackflow-test-callbacks',
  replay: 'ackflow-test-replay',
  isolation: 'ackflow-test-isolation',
  large: 'ackflow-test-large',
  metrics: 'ackflow-test-metrics',
  redrive: 'ackflow-test-redrive',
  priority: 'ackflow-test-priority',
  report: 'ackflow-test-report',
  fuzz: 'ackflow-test-fuzz',
  abuse: 'ackflow-test-abuse',
  security: 'ackflow-test-security',
  chaosWorkers: 'ackflow-test-chaos-workers',
  chaosGateway: 'ackflow-test-chaos-gateway',
  chaosFaults: 'ackflow-test-chaos-faults',
  chaosTemporal: 'ackflow-test-chaos-temporal',
  roles: 'ackflow-test-roles',
  secrets: 'ackflow-test-secrets',
} as const;

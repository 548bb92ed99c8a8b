// The health check of ackflow's containers, whose slim Node image has no curl or wget:
// exits 0 when `GET <url>` answers 2xx within four seconds, 1 otherwise.
const [url] = process.argv.slice(2);
const answer = await globalThis
  .fetch(url, { signal: globalThis.AbortSignal.timeout(4_000) })
  .catch(() => undefined);
process.exit(answer?.ok ? 0 : 1);
